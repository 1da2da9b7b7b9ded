//! A leader started as a fresh interpreter: our own child, in its own process group, with
//! rlimits, CPU pinning and the level's confinement applied between fork and exec, and
//! waited for through a pidfd.

use super::confine::Confine;
use super::tree::MARKER_VAR;
use super::{Exit, Launch, Limits};
use crate::error::{Error, IoContext, Result};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub(super) struct Direct {
    pub child: Child,
    pub pidfd: PidFd,
    pub pid: i32,
}

impl Direct {
    pub fn spawn(launch: &Launch, limits: &Limits, mut confine: Confine) -> Result<Direct> {
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args)
            .current_dir(&launch.cwd)
            .env_clear()
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .env(MARKER_VAR, &launch.marker)
            .stdin(if launch.gate.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let rl = RlimitSet::new(limits);
        let cpus = launch.cpus.clone();
        // SAFETY: the closure only makes async-signal-safe syscalls on pre-built data.
        unsafe {
            cmd.pre_exec(move || {
                rl.apply()?;
                if let Some(cpus) = &cpus {
                    pin(cpus)?;
                }
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                confine.apply()
            });
        }
        let child = cmd
            .spawn()
            .ctx(|| format!("starting {}", launch.program.display()))?;
        let pid = child.id() as i32;
        let pidfd = PidFd::open(pid)?;
        Ok(Direct { child, pidfd, pid })
    }

    pub fn wait_until(
        &self,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<Option<(Exit, Duration, Instant)>> {
        wait_until(&self.pidfd, self.pid, deadline, cancel)
    }

    pub fn reap(&self) -> Result<(Exit, Duration)> {
        reap(self.pid)
    }
}

/// A pidfd for a leader: readable once it has exited.
pub(super) struct PidFd(pub i32);

impl PidFd {
    pub(super) fn open(pid: i32) -> Result<PidFd> {
        // SAFETY: pidfd_open on a leader's pid; the fd is closed on drop.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
        if fd < 0 {
            return Err(Error::Internal(format!(
                "pidfd_open: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(PidFd(fd))
    }
}

impl Drop for PidFd {
    fn drop(&mut self) {
        // SAFETY: closing the fd we opened.
        unsafe { libc::close(self.0) };
    }
}

/// Waits for the leader to exit, the deadline, or cancellation. `None` means still running;
/// otherwise the exit, the CPU wait4 reports, and when the exit was seen.
fn wait_until(
    pidfd: &PidFd,
    pid: i32,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Result<Option<(Exit, Duration, Instant)>> {
    loop {
        let now = Instant::now();
        if now >= deadline || cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let slice = (deadline - now).min(Duration::from_millis(50));
        let mut pfd = libc::pollfd {
            fd: pidfd.0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut pfd, 1, slice.as_millis().max(1) as i32) };
        if n > 0 {
            let exited = Instant::now();
            let (exit, cpu) = reap(pid)?;
            return Ok(Some((exit, cpu, exited)));
        }
    }
}

/// Reaps the leader and returns its status and the CPU of it and its reaped children.
fn reap(pid: i32) -> Result<(Exit, Duration)> {
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid value for wait4 to fill.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = loop {
        // SAFETY: waiting on our own child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r >= 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            break r;
        }
    };
    if r < 0 {
        return Err(Error::Internal(format!(
            "wait4({pid}): {}",
            std::io::Error::last_os_error()
        )));
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = tv(ru.ru_utime) + tv(ru.ru_stime);
    Ok((Exit::from_wait_status(status), cpu))
}

/// rlimits prepared before fork, applied in the child. Only ever lowered.
#[derive(Clone, Copy)]
pub(super) struct RlimitSet {
    pub limits: [(libc::__rlimit_resource_t, u64); 5],
}

impl RlimitSet {
    pub fn new(l: &Limits) -> RlimitSet {
        let cpu = l.wall.as_secs() * 2 + 5;
        RlimitSet {
            limits: [
                (libc::RLIMIT_CORE, 0),
                (libc::RLIMIT_AS, l.address_space),
                (libc::RLIMIT_FSIZE, l.file_size),
                (libc::RLIMIT_NOFILE, l.open_files),
                (libc::RLIMIT_CPU, cpu),
            ],
        }
    }

    fn apply(&self) -> std::io::Result<()> {
        for (res, want) in self.limits {
            let mut cur = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: getrlimit/setrlimit are async-signal-safe.
            unsafe {
                if libc::getrlimit(res, &mut cur) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let new = libc::rlimit {
                    rlim_cur: want.min(cur.rlim_max),
                    rlim_max: want.min(cur.rlim_max),
                };
                if libc::setrlimit(res, &new) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
        }
        Ok(())
    }
}

fn pin(cpus: &[usize]) -> std::io::Result<()> {
    // SAFETY: cpu_set_t is plain data; sched_setaffinity is async-signal-safe.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &c in cpus {
            libc::CPU_SET(c, &mut set);
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
