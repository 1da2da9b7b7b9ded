//! The timed window of a speedup run, measured from outside: the clock starts when we send the
//! go byte (after the interpreter and the imports are ready) and stops when the leader exits.
//! CPU comes from the kernel (wait4 and /proc), never from the tree's own reports.

use super::tree;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the tree's processes are sampled while the clock runs.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);
/// A process is busy in a sampling window if it ran for at least this share of it.
const BUSY_IN_WINDOW: f64 = 0.2;

#[derive(Debug, Clone, Serialize)]
pub struct Timed {
    /// Go byte sent → leader exited.
    pub wall: Duration,
    /// CPU of the leader and the children it reaped, spent inside the window.
    pub cpu: Duration,
    /// CPU seconds each process spent inside the window, as last sampled (a process that
    /// lived less than one sampling period may be missing).
    pub per_process: BTreeMap<i32, f64>,
    /// Of the sampling windows in which some process was busy, the share in which two or
    /// more were: whether the work overlapped in time. A loaded machine slows parallel work
    /// but does not serialise it, so this holds where CPU/wall cannot.
    pub overlap: f64,
}

/// A started clock and its sampler.
pub struct Clock {
    started: Instant,
    leader_cpu0: f64,
    /// Dropped to stop the sampler at once, not at the end of its current period.
    stop: mpsc::Sender<()>,
    sampler: JoinHandle<Windows>,
}

#[derive(Default)]
struct Windows {
    active: u32,
    overlap: u32,
    spent: BTreeMap<i32, f64>,
}

impl Clock {
    /// Sends the go byte and starts the clock.
    pub fn start(leader: i32, mut stdin: std::fs::File) -> Option<Clock> {
        let base: BTreeMap<i32, f64> = sample(leader);
        let leader_cpu0 = leader_total_cpu(leader)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let started = Instant::now();
        stdin.write_all(b"g").ok()?;
        drop(stdin);
        let sampler = std::thread::spawn(move || {
            let mut w = Windows::default();
            let mut last = base.clone();
            let mut at = Instant::now();
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(SAMPLE_EVERY) {
                let now = sample(leader);
                let window = at.elapsed().as_secs_f64();
                at = Instant::now();
                let busy = now
                    .iter()
                    .filter(|(pid, &cpu)| {
                        cpu - last.get(pid).copied().unwrap_or(0.0) >= BUSY_IN_WINDOW * window
                    })
                    .count();
                w.active += u32::from(busy >= 1);
                w.overlap += u32::from(busy >= 2);
                for (&pid, &cpu) in &now {
                    let spent = cpu - base.get(&pid).copied().unwrap_or(0.0);
                    w.spent.insert(pid, spent.max(0.0));
                }
                last = now;
            }
            w
        });
        Some(Clock {
            started,
            leader_cpu0,
            stop,
            sampler,
        })
    }

    /// Stops the clock at `exited`; `reaped_cpu` is wait4's figure for the leader.
    pub fn stop(self, exited: Instant, reaped_cpu: Duration) -> Timed {
        drop(self.stop);
        let w = self.sampler.join().unwrap_or_default();
        let cpu = reaped_cpu.as_secs_f64() - self.leader_cpu0;
        Timed {
            wall: exited.saturating_duration_since(self.started),
            cpu: Duration::from_secs_f64(cpu.max(0.0)),
            per_process: w.spent,
            overlap: if w.active > 0 {
                f64::from(w.overlap) / f64::from(w.active)
            } else {
                0.0
            },
        }
    }
}

/// Waits until the tree says it is ready (`path` exists) or the leader is gone.
pub fn await_ready(pidfd: i32, path: &Path, deadline: Instant, cancel: &AtomicBool) -> bool {
    while Instant::now() < deadline && !cancel.load(Ordering::Relaxed) {
        if path.exists() {
            return true;
        }
        let mut pfd = libc::pollfd {
            fd: pidfd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; a readable pidfd means the leader exited.
        if unsafe { libc::poll(&mut pfd, 1, 2) } > 0 {
            return false;
        }
    }
    false
}

/// CPU seconds used so far by each live process of the leader's process group: the
/// scheduler's nanosecond count where the kernel keeps one, else the stat ticks. Only the
/// group, not the marker scan, so sampling stays cheap next to the timed run.
fn sample(leader: i32) -> BTreeMap<i32, f64> {
    let tps = procfs::ticks_per_second() as f64;
    tree::group_members(leader)
        .into_iter()
        .filter_map(|p| {
            let s = p.stat().ok()?;
            let ticks = (s.utime + s.stime) as f64 / tps;
            let ns = p.schedstat().ok().map(|x| x.sum_exec_runtime as f64 / 1e9);
            Some((s.pid, ns.filter(|&n| n > 0.0).unwrap_or(ticks)))
        })
        .collect()
}

/// The leader's own CPU plus that of the children it has reaped, as wait4 will count it.
fn leader_total_cpu(leader: i32) -> Option<f64> {
    let s = procfs::process::Process::new(leader).ok()?.stat().ok()?;
    let tps = procfs::ticks_per_second() as f64;
    Some((s.utime + s.stime) as f64 / tps + (s.cutime + s.cstime).max(0) as f64 / tps)
}
