//! Which isolation this machine allows, probed once per run by confining a throwaway
//! process the way trials will be: the tier every result reports, and what stands behind it.

use super::cgroup::{self, BoxLimits, CgroupBox};
use super::confine::Confine;
use super::fence::FencePaths;
use super::Tier;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub tier: Tier,
    /// A cgroup per tree: unescapable kill, process and memory limits.
    pub cgroups: bool,
    /// Landlock on the filesystem and TCP.
    pub landlock: bool,
    /// Landlock also scopes signals and abstract sockets (kernel 6.12+).
    pub scoped: bool,
    /// A network namespace of its own: no network at all.
    pub netns: bool,
    /// No capability left, even for a root grader.
    pub drop_caps: bool,
    /// seccomp refuses `setsid` and `setpgid`, so that the process group holds the tree
    /// (where no cgroup does).
    pub no_sessions: bool,
}

/// Set to `minimal` to run without isolation (to compare costs, or to debug the sandbox).
pub const OVERRIDE_VAR: &str = "CARRERA_SANDBOX";

impl Level {
    pub const MINIMAL: Level = Level {
        tier: Tier::Minimal,
        cgroups: false,
        landlock: false,
        scoped: false,
        netns: false,
        drop_caps: false,
        no_sessions: false,
    };

    /// The mechanisms in force, for reports.
    pub fn mechanisms(&self) -> Vec<&'static str> {
        let mut m = vec!["process group", "rlimits"];
        for (on, name) in [
            (self.cgroups, "cgroup"),
            (self.landlock, "landlock"),
            (self.scoped, "signal scope"),
            (self.netns, "no network"),
            (self.drop_caps, "no capabilities"),
            (self.no_sessions, "no new sessions"),
        ] {
            if on {
                m.push(name);
            }
        }
        m
    }
}

pub fn level() -> &'static Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    LEVEL.get_or_init(|| {
        super::reaper::start();
        probe()
    })
}

fn probe() -> Level {
    if std::env::var(OVERRIDE_VAR).is_ok_and(|v| v == "minimal") {
        return Level::MINIMAL;
    }
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let want = Level {
        tier: Tier::Strong,
        cgroups: cgroup::available(),
        landlock: true,
        scoped: true,
        netns: root,
        drop_caps: root,
        no_sessions: !cgroup::available(),
    };
    let Some(scoped) = works(&want) else {
        // Namespaces or cgroups refused (a container): Landlock alone may still hold.
        let alone = Level {
            tier: Tier::Rootless,
            cgroups: false,
            netns: false,
            no_sessions: true,
            ..want
        };
        return match works(&alone) {
            Some(scoped) => Level { scoped, ..alone },
            None => Level::MINIMAL,
        };
    };
    let tier = if want.cgroups {
        Tier::Strong
    } else {
        Tier::Rootless
    };
    Level {
        tier,
        scoped,
        ..want
    }
}

/// Confines `true` as `level` says. `None` if it fails; else whether Landlock was fully
/// enforced (signal scoping included).
fn works(level: &Level) -> Option<bool> {
    match run_confined(level, true) {
        Ok(()) => Some(true),
        Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => {
            run_confined(level, false).ok().map(|()| false)
        }
        Err(_) => None,
    }
}

fn run_confined(level: &Level, strict: bool) -> std::io::Result<()> {
    let bx = match level.cgroups {
        true => Some(CgroupBox::create("probe", probe_limits())?),
        false => None,
    };
    let join = bx.as_ref().map(CgroupBox::join_files).unwrap_or_default();
    let mut confine = Confine::new(level, join, &FencePaths::default())?;
    confine.strict = strict;
    // By path: the probe must not depend on the PATH the grader was given.
    let program = ["/bin/true", "/usr/bin/true"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("true");
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: `apply` makes only async-signal-safe calls on prepared data.
    unsafe { cmd.pre_exec(move || confine.apply()) };
    match cmd.status()?.success() {
        true => Ok(()),
        false => Err(std::io::Error::other("the confined probe failed")),
    }
}

fn probe_limits() -> BoxLimits {
    BoxLimits {
        processes: 8,
        memory: 64 << 20,
    }
}
