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
        Ok(Confine {
            join,
            netns: level.netns,
            fence,
            strict: false,
            drop_caps: level.drop_caps,
        })
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
        if self.drop_caps {
            drop_capabilities()?;
        }
        Ok(())
    }
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
