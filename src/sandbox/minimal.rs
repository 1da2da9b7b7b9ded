//! The minimal tier: own process group, rlimits, a scrubbed environment, a wall deadline,
//! dump-then-kill of the whole tree, and a leak scan. Not a security boundary.

use super::capture::{collect, spawn_reader};
use super::timed;
use super::tree::{self, MARKER_VAR};
use super::{Exit, Hang, Launch, Limits, RawRun, Sandbox, Tier};
use crate::error::{Error, IoContext, Result};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct Minimal;

/// How long survivors get to exit by themselves after the leader did.
const LEAK_GRACE: Duration = Duration::from_millis(300);
/// multiprocessing's own helpers (resource tracker, fork server) exit once the main process
/// is gone, and a process already tearing down (empty cmdline) is about to: on a loaded
/// machine that took over 300 ms (a false `leak` on a correct solution), so they get longer.
const HELPER_GRACE: Duration = Duration::from_secs(3);
/// How long the tree is watched to tell a deadlock (idle) from a busy hang.
const CPU_WINDOW: Duration = Duration::from_millis(200);
/// Above this fraction of one CPU a hung tree is busy (spinning), not deadlocked.
const BUSY_CPU: f64 = 0.5;
/// Context switches in the watch window above which a hung tree is still spinning.
const BUSY_SWITCHES: u64 = 10;
/// How many times a starved but runnable tree gets half its timeout again. A spinning tree
/// on a loaded machine looks the same and pays for it, so keep this small.
const MAX_EXTENSIONS: u32 = 1;
/// The longest the processes get to write their stack dumps.
const DUMP_WAIT: Duration = Duration::from_millis(500);

impl Sandbox for Minimal {
    fn tier(&self) -> Tier {
        Tier::Minimal
    }

    fn run(&self, launch: &Launch, limits: &Limits, cancel: &AtomicBool) -> Result<RawRun> {
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
                Ok(())
            });
        }
        let start = Instant::now();
        let mut child = cmd
            .spawn()
            .ctx(|| format!("starting {}", launch.program.display()))?;
        let pid = child.id() as i32;
        let out = spawn_reader(child.stdout.take().expect("piped"), limits.output_bytes);
        let err = spawn_reader(child.stderr.take().expect("piped"), limits.output_bytes);
        let pidfd = PidFd::open(pid)?;

        let mut deadline = start + limits.wall;
        // A timed run: the clock starts once the tree is ready, and the deadline with it.
        let mut clock = None;
        if let (Some(ready), Some(stdin)) = (&launch.gate, child.stdin.take()) {
            if timed::await_ready(pidfd.0, ready, deadline, cancel) {
                clock = timed::Clock::start(pid, stdin);
                deadline = Instant::now() + limits.wall;
            }
        }
        let mut extensions = 0;
        let mut activity = None;
        let waited = loop {
            let waited = wait_until(&pidfd, pid, deadline, cancel)?;
            if waited.is_some() || cancel.load(Ordering::Relaxed) {
                break waited;
            }
            let a = tree::activity(pid, &launch.marker, CPU_WINDOW);
            // Runnable but starved of CPU: a loaded machine, not a hang. Wait a little longer.
            if a.runnable && a.cpu_fraction <= BUSY_CPU && extensions < MAX_EXTENSIONS {
                extensions += 1;
                deadline = Instant::now() + limits.wall / 2;
                continue;
            }
            activity = Some(a);
            break None;
        };
        let mut hang = None;
        let mut cancelled = false;
        let mut timed = None;
        let (exit, cpu) = match waited {
            Some((exit, cpu, exited)) => {
                timed = clock.take().map(|c| c.stop(exited, cpu));
                (exit, cpu)
            }
            None => {
                cancelled = cancel.load(Ordering::Relaxed);
                if let Some(a) = activity.filter(|_| !cancelled) {
                    hang = Some(inspect_hang(pid, &launch.marker, launch.dump.as_ref(), a));
                }
                tree::kill_all(pid, &launch.marker);
                let (_, cpu) = reap(pid)?;
                (Exit::Killed, cpu)
            }
        };
        let wall = start.elapsed();
        let leaked = if hang.is_none() && !cancelled {
            leak_scan(pid, &launch.marker)
        } else {
            Vec::new()
        };
        tree::kill_all(pid, &launch.marker);
        if let Some(c) = clock {
            c.stop(Instant::now(), Duration::ZERO); // killed: no timing, but join the sampler
        }
        let stdout = collect(&out, Duration::from_millis(500));
        let stderr = collect(&err, Duration::from_millis(500));
        Ok(RawRun {
            exit,
            wall,
            cpu,
            hang,
            cancelled,
            stdout,
            stderr,
            leaked,
            timed,
        })
    }
}

/// Watches CPU, asks every process for its stacks, and lets them write.
fn inspect_hang(
    pid: i32,
    marker: &str,
    dump: Option<&(i32, std::path::PathBuf)>,
    activity: tree::Activity,
) -> Hang {
    let procs = match dump {
        Some((sig, dir)) => {
            let procs = tree::signal_all(pid, marker, *sig);
            let written = |p: &super::Proc| {
                std::fs::metadata(dir.join(format!("{}.txt", p.pid))).is_ok_and(|m| m.len() > 0)
            };
            let until = Instant::now() + DUMP_WAIT;
            while Instant::now() < until && !procs.iter().all(written) {
                std::thread::sleep(Duration::from_millis(10));
            }
            // A dump is written in one go by the signal handler, but let the last one finish.
            std::thread::sleep(Duration::from_millis(20));
            procs
        }
        None => tree::members(pid, marker)
            .into_iter()
            .map(|(_, i)| i)
            .collect(),
    };
    // A deadlocked tree sleeps without waking; anything runnable, burning CPU, waking up
    // again and again (a spin loop slowed by sleep noise) or starting and ending processes
    // is a busy hang.
    Hang {
        busy: activity.cpu_fraction > BUSY_CPU
            || activity.runnable
            || activity.switches >= BUSY_SWITCHES
            || activity.churn,
        cpu_fraction: activity.cpu_fraction,
        procs,
    }
}

fn leak_scan(pid: i32, marker: &str) -> Vec<super::Proc> {
    let start = Instant::now();
    loop {
        let alive: Vec<super::Proc> = tree::members(pid, marker)
            .into_iter()
            .map(|(_, i)| i)
            .collect();
        let waited = start.elapsed();
        let done = alive.is_empty()
            || waited >= HELPER_GRACE
            || (waited >= LEAK_GRACE && !alive.iter().any(exits_by_itself));
        if done {
            return alive;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn exits_by_itself(p: &super::Proc) -> bool {
    p.cmdline.is_empty()
        || p.cmdline.contains("multiprocessing.resource_tracker")
        || p.cmdline.contains("multiprocessing.forkserver")
}

/// A pidfd for our own child: readable once the child has exited.
struct PidFd(i32);

impl PidFd {
    fn open(pid: i32) -> Result<PidFd> {
        // SAFETY: pidfd_open on our own child; the fd is closed on drop.
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
    let exit = if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else {
        Exit::Signal(libc::WTERMSIG(status))
    };
    Ok((exit, cpu))
}

/// rlimits prepared before fork, applied in the child. Only ever lowered.
#[derive(Clone, Copy)]
struct RlimitSet {
    limits: [(libc::__rlimit_resource_t, u64); 5],
}

impl RlimitSet {
    fn new(l: &Limits) -> RlimitSet {
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
