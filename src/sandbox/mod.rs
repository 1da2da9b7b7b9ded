//! Running an untrusted process tree with limits, a deadline, a stack dump before the kill,
//! and a leak scan after it exits. The sandbox knows nothing about Python or verdicts.

mod capture;
mod cgroup;
mod confine;
mod direct;
mod fence;
mod level;
pub mod reaper;
mod settled;
mod supervise;
mod timed;
pub mod tree;
mod warm;

pub use capture::Captured;
pub use fence::FencePaths;
pub use level::{level, Level, OVERRIDE_VAR};
pub use reaper::{reap, REAPER_ARG};
pub use supervise::Supervised;
pub use timed::Timed;
pub use warm::{WarmConfig, WarmPool};

use crate::error::Result;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// How strongly the tree is isolated. Recorded in every result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// A cgroup per tree (kill, process and memory limits) and Landlock, plus, for a root
    /// grader, no network and no capabilities.
    Strong,
    /// Landlock (files, TCP, signals) and seccomp refusing new sessions, without cgroups:
    /// what an ordinary user gets.
    Rootless,
    /// Own process group, rlimits, environment marker; no security boundary.
    Minimal,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Strong => "strong",
            Tier::Rootless => "rootless",
            Tier::Minimal => "minimal",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub wall: Duration,
    /// Bytes kept of stdout and of stderr each (head and tail).
    pub output_bytes: usize,
    pub address_space: u64,
    pub file_size: u64,
    pub open_files: u64,
    /// Processes (and threads) alive at once in the tree, where cgroups allow.
    pub processes: u64,
    /// Memory of the whole tree, where cgroups allow.
    pub memory: u64,
    /// End the run before `wall` once the tree is blocked for good (see `settled`): only for
    /// a tree nothing outside it talks to.
    pub stop_when_settled: bool,
}

impl Limits {
    /// A trial's limits: the exercise's, with `wall` as its deadline.
    pub fn new(wall: Duration, spec: &crate::exercise::LimitsSpec) -> Limits {
        Limits {
            wall,
            output_bytes: 64 * 1024,
            // Per process, so well above the tree's memory limit: a cgroup enforces that.
            address_space: (spec.memory_mb.0 << 20).max(4 << 30),
            file_size: spec.file_size_mb.0 << 20,
            open_files: spec.open_files.0,
            processes: spec.processes.0,
            memory: spec.memory_mb.0 << 20,
            stop_when_settled: false,
        }
    }
}

/// What to start. `marker` is exported as `CARRERA_TRIAL` so descendants can be found even
/// when they leave the process group.
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    pub env: Vec<(String, String)>,
    pub marker: String,
    /// Pin the whole tree to these CPUs (inherited by children).
    pub cpus: Option<Vec<usize>>,
    /// Signal sent to every process of a hung tree before it is killed, and the folder where
    /// each process writes `<pid>.txt` in answer (so we wait only as long as needed).
    pub dump: Option<(i32, PathBuf)>,
    /// A timed run: the tree creates this file when ready, then waits for a byte on stdin.
    /// The clock runs from that byte to the leader's exit (`RawRun::timed`).
    pub gate: Option<PathBuf>,
    /// Fork the leader from one of these warm servers instead of starting `program`.
    pub warm: Option<std::sync::Arc<WarmPool>>,
    /// What the tree may read and write besides the system (on tiers with Landlock).
    pub fence: FencePaths,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// Killed by carrera (timeout or cancellation).
    Killed,
}

impl Exit {
    /// From a raw wait status (`wait4`, or the warm server's report of one).
    pub fn from_wait_status(status: i32) -> Exit {
        if libc::WIFEXITED(status) {
            Exit::Code(libc::WEXITSTATUS(status))
        } else {
            Exit::Signal(libc::WTERMSIG(status))
        }
    }
}

/// A process seen in the tree.
#[derive(Debug, Clone, Serialize)]
pub struct Proc {
    pub pid: i32,
    pub ppid: i32,
    pub cmdline: String,
}

#[derive(Debug, Clone)]
pub struct Hang {
    /// The tree burnt CPU while we watched it (busy-wait or livelock).
    pub busy: bool,
    pub cpu_fraction: f64,
    /// Stopped before the deadline: every process was blocked for good.
    pub settled: bool,
    pub procs: Vec<Proc>,
}

#[derive(Debug, Clone)]
pub struct RawRun {
    pub exit: Exit,
    pub wall: Duration,
    /// User + system CPU of the leader and the children it reaped.
    pub cpu: Duration,
    /// CPU of every process of the tree, reaped or orphaned (a forkserver's children too),
    /// where the tree had a cgroup of its own.
    pub tree_cpu: Option<Duration>,
    pub hang: Option<Hang>,
    pub cancelled: bool,
    pub stdout: Captured,
    pub stderr: Captured,
    /// Processes of the tree still alive after the leader exited (then killed).
    pub leaked: Vec<Proc>,
    /// Set for a gated launch whose leader exited by itself after the go.
    pub timed: Option<Timed>,
    /// A limit of the tree as a whole that the kernel enforced (memory, processes).
    pub limit: Option<String>,
}

pub trait Sandbox: Send + Sync {
    fn level(&self) -> &Level;
    /// Runs the tree to completion, deadline or cancellation; always leaves nothing behind.
    fn run(&self, launch: &Launch, limits: &Limits, cancel: &AtomicBool) -> Result<RawRun>;
}

/// The best sandbox this machine allows (probed once per run).
pub fn detect() -> Box<dyn Sandbox> {
    Box::new(Supervised::new(level().clone()))
}
