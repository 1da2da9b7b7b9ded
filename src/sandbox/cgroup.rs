//! A cgroup per process tree: membership that no process of the tree can leave (Landlock
//! keeps it from writing under /sys), a kill that `setsid` cannot dodge, and limits on the
//! number of processes and on memory for the tree as a whole (rlimits are per process).
//!
//! Works on cgroup v2 (membership, kill, freeze) with the `pids` and `memory` controllers
//! from v2 where enabled, else from the v1 hierarchies of a hybrid mount.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where this process's own cgroups are, in each hierarchy that matters.
#[derive(Debug, Clone)]
struct Bases {
    /// The v2 hierarchy: membership, `cgroup.kill`, `cgroup.freeze`.
    unified: PathBuf,
    /// `pids` and `memory` on v1 when v2 does not have them.
    pids_v1: Option<PathBuf>,
    memory_v1: Option<PathBuf>,
}

/// This grader's own folder in each hierarchy, made once; `None` when cgroups cannot be
/// written here (not root, no delegation).
static BASES: OnceLock<Option<Bases>> = OnceLock::new();

fn bases() -> Option<&'static Bases> {
    BASES.get_or_init(|| find_bases().ok()).as_ref()
}

fn find_bases() -> io::Result<Bases> {
    let bases = find_bases_of(std::process::id() as i32)?;
    sweep_stale(&bases);
    for dir in dirs(&bases) {
        std::fs::create_dir_all(dir)?;
    }
    super::reaper::start();
    Ok(bases)
}

/// The folders grader `pid` uses (or would), in the hierarchies we are in.
fn find_bases_of(pid: i32) -> io::Result<Bases> {
    let me = procfs::process::Process::myself().map_err(io::Error::other)?;
    let mounts = me.mountinfo().map_err(io::Error::other)?;
    let groups = me.cgroups().map_err(io::Error::other)?;
    let mount_of = |pred: &dyn Fn(&procfs::process::MountInfo) -> bool| {
        mounts
            .0
            .iter()
            .find(|m| pred(m))
            .map(|m| m.mount_point.clone())
    };
    let path_in = |hierarchy_pred: &dyn Fn(&procfs::ProcessCGroup) -> bool| {
        groups
            .0
            .iter()
            .find(|g| hierarchy_pred(g))
            .map(|g| g.pathname.trim_start_matches('/').to_string())
    };
    let own = format!("carrera-{pid}");
    let unified = mount_of(&|m| m.fs_type == "cgroup2")
        .zip(path_in(&|g| g.hierarchy == 0))
        .map(|(mnt, p)| mnt.join(p).join(&own))
        .ok_or_else(|| io::Error::other("no cgroup v2 hierarchy"))?;
    let v1 = |ctl: &str| {
        let has = |opts: &std::collections::HashMap<String, Option<String>>| opts.contains_key(ctl);
        mount_of(&|m| m.fs_type == "cgroup" && has(&m.super_options))
            .zip(path_in(&|g| g.controllers.iter().any(|c| c == ctl)))
            .map(|(mnt, p)| mnt.join(p).join(&own))
    };
    Ok(Bases {
        unified,
        pids_v1: v1("pids"),
        memory_v1: v1("memory"),
    })
}

fn dirs(b: &Bases) -> impl Iterator<Item = &PathBuf> {
    [Some(&b.unified), b.pids_v1.as_ref(), b.memory_v1.as_ref()]
        .into_iter()
        .flatten()
}

/// Kills and removes what grader `pid` left in its cgroups (see `reaper`).
pub fn remove_of(pid: i32) {
    if let Ok(b) = find_bases_of(pid) {
        remove_all(&b);
    }
}

/// Kills and removes what graders that are gone left behind (if their reaper failed too).
fn sweep_stale(b: &Bases) {
    let Some(parent) = b.unified.parent() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("carrera-")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            if let Ok(stale) = find_bases_of(pid) {
                remove_all(&stale);
            }
        }
    }
}

/// Kills every box under these folders (`cgroup.kill` cannot be dodged), then removes them.
fn remove_all(b: &Bases) {
    let boxes = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d)
            .map(|es| {
                es.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default()
    };
    for bx in boxes(&b.unified) {
        let _ = std::fs::write(bx.join("cgroup.kill"), "1");
    }
    for d in dirs(b) {
        for bx in boxes(d) {
            remove_retrying(&bx);
        }
        let _ = std::fs::remove_dir(d);
    }
}

/// Whether cgroup boxes can be made here.
pub fn available() -> bool {
    bases().is_some()
}

/// Limits a box enforces on its tree as a whole.
#[derive(Debug, Clone, Copy)]
pub struct BoxLimits {
    pub processes: u64,
    pub memory: u64,
}

/// One tree's cgroup, in every hierarchy used. Removed (after killing what is left) on drop.
#[derive(Debug)]
pub struct CgroupBox {
    unified: PathBuf,
    pids: Option<PathBuf>,
    memory: Option<PathBuf>,
    /// `cgroup.procs` of each, prepared for `join_self` (no allocation after fork).
    procs: Vec<CString>,
}

impl CgroupBox {
    pub fn create(name: &str, limits: BoxLimits) -> io::Result<CgroupBox> {
        let b = bases().ok_or_else(|| io::Error::other("cgroups cannot be written here"))?;
        let unified = b.unified.join(name);
        std::fs::create_dir(&unified)?;
        let mut bx = CgroupBox {
            unified: unified.clone(),
            pids: None,
            memory: None,
            procs: Vec::new(),
        };
        let controllers = std::fs::read_to_string(unified.join("cgroup.controllers"))?;
        let has = |c: &str| controllers.split_whitespace().any(|x| x == c);
        bx.pids = if has("pids") {
            Some(unified.clone())
        } else {
            mk(b.pids_v1.as_ref(), name)?
        };
        bx.memory = if has("memory") {
            Some(unified.clone())
        } else {
            mk(b.memory_v1.as_ref(), name)?
        };
        bx.set_limits(limits)?;
        if let Some(m) = bx.memory.as_ref().filter(|m| **m == unified) {
            let _ = std::fs::write(m.join("memory.swap.max"), "0");
        }
        bx.procs = bx
            .dirs()
            .iter()
            .map(|d| CString::new(d.join("cgroup.procs").as_os_str().as_bytes()))
            .collect::<Result<_, _>>()
            .map_err(io::Error::other)?;
        Ok(bx)
    }

    /// Sets the limits for what runs in the box from now on.
    pub fn set_limits(&self, limits: BoxLimits) -> io::Result<()> {
        if let Some(p) = &self.pids {
            std::fs::write(p.join("pids.max"), limits.processes.to_string())?;
        }
        if let Some(m) = &self.memory {
            let file = match *m == self.unified {
                true => "memory.max",
                false => "memory.limit_in_bytes",
            };
            std::fs::write(m.join(file), limits.memory.to_string())?;
        }
        Ok(())
    }

    /// The `cgroup.procs` files a process writes its pid into to enter the box.
    pub fn join_files(&self) -> Vec<CString> {
        self.procs.clone()
    }

    /// Moves `pid` into the box.
    pub fn admit(&self, pid: i32) -> io::Result<()> {
        super::confine::join_cgroups(&self.procs, pid)
    }

    /// The processes in the box now.
    pub fn pids(&self) -> Vec<i32> {
        std::fs::read_to_string(self.unified.join("cgroup.procs"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    /// Kills every process in the box but `spare` (a warm server, which stays), and waits
    /// until they are gone. Frozen first, so that nothing can fork meanwhile.
    pub fn kill(&self, spare: Option<i32>) {
        let deadline = Instant::now() + Duration::from_secs(5);
        if spare.is_none() && std::fs::write(self.unified.join("cgroup.kill"), "1").is_ok() {
            while !self.pids().is_empty() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            return;
        }
        let freeze = |on: &str| std::fs::write(self.unified.join("cgroup.freeze"), on);
        loop {
            let frozen = freeze("1").is_ok();
            let victims: Vec<i32> = self
                .pids()
                .into_iter()
                .filter(|&p| Some(p) != spare)
                .collect();
            for &p in &victims {
                // SAFETY: plain syscall; a process that is gone gives ESRCH.
                unsafe { libc::kill(p, libc::SIGKILL) };
            }
            if frozen {
                let _ = freeze("0");
            }
            if victims.is_empty() || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // Dead but not yet reaped, they still count against the process limit, and the
        // server's next fork would fail: wait until only the server's own threads remain.
        let floor = spare.map_or(0, threads_of);
        while self.tasks().is_some_and(|n| n > floor) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Tasks (threads) the process limit counts now.
    fn tasks(&self) -> Option<u64> {
        let p = self.pids.as_ref()?;
        std::fs::read_to_string(p.join("pids.current"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// How many processes of the box the kernel has killed for exceeding its memory limit.
    pub fn oom_kills(&self) -> u64 {
        let Some(m) = &self.memory else { return 0 };
        let (file, key) = if m == &self.unified {
            ("memory.events", "oom_kill")
        } else {
            ("memory.oom_control", "oom_kill")
        };
        counter(&m.join(file), key, ' ')
    }

    /// CPU time used by every process that was ever in the box, reaped or not (v2's
    /// `cpu.stat`, present whether or not the cpu controller is enabled).
    pub fn cpu_usage(&self) -> Option<Duration> {
        let text = std::fs::read_to_string(self.unified.join("cpu.stat")).ok()?;
        let usec = text
            .lines()
            .filter_map(|l| l.split_once(' '))
            .find(|(k, _)| *k == "usage_usec")?
            .1
            .trim()
            .parse()
            .ok()?;
        Some(Duration::from_micros(usec))
    }

    /// How many forks the process limit has refused.
    pub fn forks_refused(&self) -> u64 {
        self.pids
            .as_ref()
            .map_or(0, |p| counter(&p.join("pids.events"), "max", ' '))
    }
}

impl CgroupBox {
    /// Its folder in each hierarchy, once each (v2 may hold `pids` and `memory` itself).
    fn dirs(&self) -> Vec<&PathBuf> {
        let mut dirs = vec![&self.unified];
        for d in self.pids.iter().chain(self.memory.iter()) {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
        dirs
    }
}

impl Drop for CgroupBox {
    fn drop(&mut self) {
        self.kill(None);
        for d in self.dirs() {
            remove_retrying(d);
        }
    }
}

/// Removal fails while a dying process is still being torn down: retry for up to a second.
fn remove_retrying(dir: &Path) {
    for _ in 0..200 {
        if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn threads_of(pid: i32) -> u64 {
    counter(
        &PathBuf::from(format!("/proc/{pid}/status")),
        "Threads",
        ':',
    )
}

fn mk(base: Option<&PathBuf>, name: &str) -> io::Result<Option<PathBuf>> {
    let Some(base) = base else { return Ok(None) };
    let dir = base.join(name);
    std::fs::create_dir(&dir)?;
    Ok(Some(dir))
}

/// The number after `key` and `sep` on a line of `file` (0 if none).
fn counter(file: &Path, key: &str, sep: char) -> u64 {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(sep))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}
