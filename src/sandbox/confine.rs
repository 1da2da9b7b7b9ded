//! What a tree's first process does to itself between fork and exec on the tiers above
//! minimal: join its cgroup, leave the network, fence itself in with Landlock, and drop every
//! capability (a root grader's children must not keep root's powers). Everything here is
//! prepared before the fork; `apply` only makes async-signal-safe system calls.

use super::fence::{self, FencePaths};
use super::level::Level;
use landlock::{RulesetCreated, RulesetStatus};
use std::ffi::CString;
use std::io;

pub struct Confine {
    /// `cgroup.procs` files to write our pid into.
    join: Vec<CString>,
    netns: bool,
    fence: Option<RulesetCreated>,
    /// A seccomp filter refusing new sessions and process groups.
    sessions: Option<seccompiler::BpfProgram>,
    /// Fail unless Landlock enforces everything asked (the probe for signal scoping).
    pub strict: bool,
    drop_caps: bool,
}

impl Confine {
    pub fn new(level: &Level, join: Vec<CString>, paths: &FencePaths) -> io::Result<Confine> {
        let fence = match level.landlock {
            true => Some(fence::build(paths).map_err(io::Error::other)?),
            false => None,
        };
        let sessions = match level.no_sessions {
            true => Some(no_sessions_filter()?),
            false => None,
        };
        Ok(Confine {
            join,
            netns: level.netns,
            fence,
            sessions,
            strict: false,
            drop_caps: level.drop_caps,
        })
    }

    /// For a warm server: its trials' children must still be able to get a process group of
    /// their own, so the server installs the session filter in each trial (`sessions_hex`).
    pub fn without_sessions(mut self) -> Confine {
        self.sessions = None;
        self
    }

    /// In the child, after fork and before exec. Fails the spawn if any step fails: a tree
    /// must never run less confined than its level says.
    pub fn apply(&mut self) -> io::Result<()> {
        if !self.join.is_empty() {
            // SAFETY: getpid is async-signal-safe.
            join_cgroups(&self.join, unsafe { libc::getpid() })?;
        }
        if self.netns {
            // SAFETY: unshare only affects this (single-threaded) child.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        if let Some(f) = self.fence.take() {
            let status = f.restrict_self().map_err(io::Error::other)?;
            let refused = match status.ruleset {
                RulesetStatus::FullyEnforced => None,
                RulesetStatus::PartiallyEnforced if !self.strict => None,
                RulesetStatus::PartiallyEnforced => Some(libc::ENOTSUP),
                RulesetStatus::NotEnforced => Some(libc::ENOSYS),
            };
            if let Some(errno) = refused {
                return Err(io::Error::from_raw_os_error(errno));
            }
        }
        if let Some(bpf) = &self.sessions {
            seccompiler::apply_filter(bpf).map_err(io::Error::other)?;
        }
        if self.drop_caps {
            drop_capabilities()?;
        }
        Ok(())
    }
}

/// The session filter as hex (8 bytes per instruction, native order), for a warm server to
/// install in each trial after giving it its process group; `None` if the level has none.
pub fn sessions_hex(level: &Level) -> io::Result<Option<String>> {
    if !level.no_sessions {
        return Ok(None);
    }
    let mut hex = String::new();
    for ins in no_sessions_filter()? {
        let mut bytes = Vec::with_capacity(8);
        bytes.extend(ins.code.to_ne_bytes());
        bytes.extend([ins.jt, ins.jf]);
        bytes.extend(ins.k.to_ne_bytes());
        for b in bytes {
            hex.push_str(&format!("{b:02x}"));
        }
    }
    Ok(Some(hex))
}

/// Without a cgroup, the tree is found by its process group (and marker): `setsid` and
/// `setpgid` would let a process leave it, so they fail with EPERM. multiprocessing never
/// calls them; only a daemon on purpose (`start_new_session=True`) does.
fn no_sessions_filter() -> io::Result<seccompiler::BpfProgram> {
    use seccompiler::{SeccompAction, SeccompFilter, TargetArch};
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(io::Error::other)?;
    let rules = [libc::SYS_setsid, libc::SYS_setpgid]
        .into_iter()
        .map(|nr| (nr, Vec::new()))
        .collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(io::Error::other)?;
    filter.try_into().map_err(io::Error::other)
}

/// Writes `pid` into each `cgroup.procs`, without allocating.
pub fn join_cgroups(files: &[CString], pid: i32) -> io::Result<()> {
    let mut digits = [0u8; 12];
    let text = decimal(pid, &mut digits);
    for path in files {
        // SAFETY: open, write and close on prepared buffers.
        unsafe {
            let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            let n = libc::write(fd, text.as_ptr().cast(), text.len());
            let err = io::Error::last_os_error();
            libc::close(fd);
            if n < 0 {
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Empties the bounding set, then the effective, permitted and inheritable sets: after exec
/// even uid 0 then has no capability (it gets only what the bounding set allows).
fn drop_capabilities() -> io::Result<()> {
    for cap in 0..64 {
        // SAFETY: prctl on this process; EINVAL past the last capability the kernel knows.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } != 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINVAL) {
                return Err(e);
            }
        }
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let data = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: capset with a v3 header and two data words, as the kernel expects.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Decimal digits of `n` in `buf`.
fn decimal(n: i32, buf: &mut [u8; 12]) -> &[u8] {
    let mut n = n.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_are_written_in_decimal() {
        let mut b = [0u8; 12];
        assert_eq!(decimal(0, &mut b), b"0");
        assert_eq!(decimal(4_194_304, &mut b), b"4194304");
    }
}
