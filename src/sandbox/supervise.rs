//! Supervising one tree on any tier: its own process group, rlimits, a scrubbed environment,
//! a wall deadline, dump-then-kill of the whole tree, and a leak scan; plus, as the level
//! allows, a cgroup that holds the tree and its limits, and the confinement of `confine`.

use super::capture::{collect, spawn_reader};
use super::cgroup::{BoxLimits, CgroupBox};
use super::confine::Confine;
use super::direct::{Direct, PidFd};
use super::settled::{self, Watch};
use super::timed;
use super::tree;
use super::warm::WarmLeader;
use super::{Exit, Hang, Launch, Level, Limits, RawRun, Sandbox};
use crate::error::{IoContext, Result};
use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Supervised {
    level: Level,
}

impl Supervised {
    pub fn new(level: Level) -> Supervised {
        Supervised { level }
    }
}

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
/// The longest they get to write their partial traces after that.
const TRACE_WAIT: Duration = Duration::from_millis(300);

impl Sandbox for Supervised {
    fn level(&self) -> &Level {
        &self.level
    }

    fn run(&self, launch: &Launch, limits: &Limits, cancel: &AtomicBool) -> Result<RawRun> {
        let start = Instant::now();
        let mut tree = tree::Tree::new(0, &launch.marker);
        let (mut leader, out, err, stdin) = start_leader(launch, limits, &self.level)?;
        let pid = leader.pid();
        tree.leader = pid;
        let (cgroup, spare) = leader.cgroup();
        tree.cgroup = cgroup.as_deref();
        tree.spare = spare;
        let counts_before = cgroup.as_deref().map(counts);
        let out = spawn_reader(out, limits.output_bytes);
        let err = spawn_reader(err, limits.output_bytes);

        let mut deadline = start + limits.wall;
        // A timed run: the clock starts once the tree is ready, and the deadline with it.
        let mut clock = None;
        // A warm leader is the server's child, not ours: open a pidfd on it (the server
        // reaps it only after it exits, so the pid is still the leader's until then).
        let opened;
        let pidfd = match &leader {
            Leader::Direct(d, _) => Some(&d.pidfd),
            Leader::Warm(w) => {
                opened = launch.gate.as_ref().and_then(|_| PidFd::open(w.pid).ok());
                opened.as_ref()
            }
        };
        if let (Some(ready), Some(stdin), Some(pidfd)) = (&launch.gate, stdin, pidfd) {
            if timed::await_ready(pidfd.0, ready, deadline, cancel) {
                clock = timed::Clock::start(pid, stdin);
                deadline = Instant::now() + limits.wall;
            }
        }
        let mut extensions = 0;
        let mut activity = None;
        let mut watch = limits.stop_when_settled.then(Watch::default);
        let mut for_good = false;
        let waited = loop {
            let until = match watch {
                Some(_) => deadline.min(Instant::now() + settled::POLL),
                None => deadline,
            };
            let waited = leader.wait_until(until, cancel)?;
            if waited.is_some() || cancel.load(Ordering::Relaxed) {
                break waited;
            }
            if Instant::now() < deadline {
                // Only a watched run wakes before its deadline.
                if watch.as_mut().is_some_and(|w| w.settled(&tree)) {
                    for_good = true;
                    activity = Some(tree::activity(&tree, CPU_WINDOW));
                    break None;
                }
                continue;
            }
            let a = tree::activity(&tree, CPU_WINDOW);
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
                    hang = Some(inspect_hang(&tree, launch.dump.as_ref(), a, for_good));
                }
                tree::kill_all(&tree);
                let (_, cpu) = leader.reap()?;
                (Exit::Killed, cpu)
            }
        };
        let wall = start.elapsed();
        let leaked = if hang.is_none() && !cancelled {
            leak_scan(&tree)
        } else {
            Vec::new()
        };
        // A clean exit with nothing left behind has nothing to kill: nothing can start a
        // process in an empty tree. Otherwise make sure.
        if hang.is_some() || cancelled || !leaked.is_empty() {
            tree::kill_all(&tree);
        }
        if let Some(c) = clock {
            c.stop(Instant::now(), Duration::ZERO); // killed: no timing, but join the sampler
        }
        let stdout = collect(&out, Duration::from_millis(500));
        let stderr = collect(&err, Duration::from_millis(500));
        let limit = cgroup
            .as_deref()
            .zip(counts_before)
            .and_then(|(bx, before)| limit_hit(bx, before, limits));
        // A warm server's box holds the server too: its figure would not be the tree's.
        let tree_cpu = match &leader {
            Leader::Direct(_, Some(bx)) => bx.cpu_usage(),
            _ => None,
        };
        drop(leader); // a warm server goes back to its pool only now that its tree is gone
        Ok(RawRun {
            exit,
            wall,
            cpu,
            tree_cpu,
            hang,
            cancelled,
            stdout,
            stderr,
            leaked,
            timed,
            limit,
        })
    }
}

/// (OOM kills, refused forks) of a box so far.
fn counts(bx: &CgroupBox) -> (u64, u64) {
    (bx.oom_kills(), bx.forks_refused())
}

/// Which limit of the box the kernel enforced during this trial, if any.
fn limit_hit(bx: &CgroupBox, before: (u64, u64), limits: &Limits) -> Option<String> {
    let (oom, refused) = counts(bx);
    if oom > before.0 {
        Some(format!(
            "memory ({} MiB for the whole program)",
            limits.memory >> 20
        ))
    } else if refused > before.1 {
        Some(format!("processes ({} at once)", limits.processes))
    } else {
        None
    }
}

pub(super) fn box_limits(limits: &Limits) -> BoxLimits {
    BoxLimits {
        processes: limits.processes,
        memory: limits.memory,
    }
}

/// Watches CPU, asks every process for its stacks, and lets them write.
fn inspect_hang(
    tree: &tree::Tree,
    dump: Option<&(i32, std::path::PathBuf)>,
    activity: tree::Activity,
    settled: bool,
) -> Hang {
    let procs = match dump {
        Some((sig, dir)) => {
            let procs = tree::signal_all(tree, *sig);
            let written = |p: &super::Proc| {
                std::fs::metadata(dir.join(format!("{}.txt", p.pid))).is_ok_and(|m| m.len() > 0)
            };
            let until = Instant::now() + DUMP_WAIT;
            while Instant::now() < until && !procs.iter().all(written) {
                std::thread::sleep(Duration::from_millis(10));
            }
            // A dump is written in one go by the signal handler, but let the last one finish.
            std::thread::sleep(Duration::from_millis(20));
            // The runtime then writes each process's partial trace from Python, once its main
            // thread gets the signal (what the picture of the hang is drawn from).
            let traces = dir.parent().map(|m| m.join("trace"));
            let traced = |p: &super::Proc| {
                exits_by_itself(p)
                    || traces
                        .as_ref()
                        .is_some_and(|t| t.join(format!("{}.json", p.pid)).exists())
            };
            let until = Instant::now() + TRACE_WAIT;
            while Instant::now() < until && !procs.iter().all(traced) {
                std::thread::sleep(Duration::from_millis(10));
            }
            procs
        }
        None => tree::members(tree).into_iter().map(|(_, i)| i).collect(),
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
        settled,
        procs,
    }
}

fn leak_scan(tree: &tree::Tree) -> Vec<super::Proc> {
    let start = Instant::now();
    loop {
        let alive: Vec<super::Proc> = tree::members(tree).into_iter().map(|(_, i)| i).collect();
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

/// The tree's first process: a fresh interpreter (with a cgroup of its own where the level
/// has them), or a fork of a warm one (in its server's).
enum Leader<'a> {
    Direct(Direct, Option<Arc<CgroupBox>>),
    Warm(WarmLeader<'a>),
}

type Output = Box<dyn Read + Send>;

/// Starts the leader the cheapest way the launch allows: warm unless no warm server can run
/// here. A timed (gated) launch also gets the pipe its go byte goes down.
fn start_leader<'a>(
    launch: &'a Launch,
    limits: &Limits,
    level: &Level,
) -> Result<(Leader<'a>, Output, Output, Option<File>)> {
    if let Some(pool) = &launch.warm {
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        let (go_r, go_w) = match launch.gate {
            Some(_) => pipe().map(|(r, w)| (Some(r), Some(File::from(w))))?,
            None => (None, None),
        };
        if let Some(w) = pool.start(launch, limits, out_w, err_w, go_r)? {
            return Ok((
                Leader::Warm(w),
                Box::new(File::from(out_r)),
                Box::new(File::from(err_r)),
                go_w,
            ));
        }
    }
    let bx = match level.cgroups {
        true => Some(Arc::new(
            CgroupBox::create(&launch.marker, box_limits(limits))
                .ctx(|| "creating the trial's cgroup")?,
        )),
        false => None,
    };
    let join = bx.as_deref().map(CgroupBox::join_files).unwrap_or_default();
    let confine = Confine::new(level, join, &launch.fence).ctx(|| "preparing the sandbox")?;
    let mut d = Direct::spawn(launch, limits, confine)?;
    let out = Box::new(d.child.stdout.take().expect("piped"));
    let err = Box::new(d.child.stderr.take().expect("piped"));
    let stdin = d.child.stdin.take().map(|s| File::from(OwnedFd::from(s)));
    Ok((Leader::Direct(d, bx), out, err, stdin))
}

impl Leader<'_> {
    fn pid(&self) -> i32 {
        match self {
            Leader::Direct(d, _) => d.pid,
            Leader::Warm(w) => w.pid,
        }
    }

    /// The cgroup holding the tree, and the process in it that is not the tree's.
    fn cgroup(&self) -> (Option<Arc<CgroupBox>>, Option<i32>) {
        match self {
            Leader::Direct(_, bx) => (bx.clone(), None),
            Leader::Warm(w) => w.cgroup(),
        }
    }

    fn wait_until(
        &mut self,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<Option<(Exit, Duration, Instant)>> {
        match self {
            Leader::Direct(d, _) => d.wait_until(deadline, cancel),
            Leader::Warm(w) => w.wait_until(deadline, cancel),
        }
    }

    fn reap(&mut self) -> Result<(Exit, Duration)> {
        match self {
            Leader::Direct(d, _) => d.reap(),
            Leader::Warm(w) => w.reap(),
        }
    }
}

/// Close-on-exec, so a fresh interpreter started meanwhile by another worker never holds it.
fn pipe() -> Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(std::io::Error::from)
        .ctx(|| "creating a pipe")
}
