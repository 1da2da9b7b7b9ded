//! Running an untrusted process tree with limits, a deadline, a stack dump before the kill,
//! and a leak scan after it exits. The sandbox knows nothing about Python or verdicts.

mod capture;
mod direct;
mod minimal;
mod timed;
pub mod tree;
mod warm;

pub use capture::Captured;
pub use minimal::Minimal;
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
    /// Own process group, rlimits, environment marker; no security boundary.
    Minimal,
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub wall: Duration,
    /// Bytes kept of stdout and of stderr each (head and tail).
    pub output_bytes: usize,
    pub address_space: u64,
    pub file_size: u64,
    pub open_files: u64,
}

impl Limits {
    pub fn with_wall(wall: Duration) -> Limits {
        Limits {
            wall,
            output_bytes: 64 * 1024,
            address_space: 4 << 30,
            file_size: 64 << 20,
            open_files: 256,
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
    pub procs: Vec<Proc>,
}

#[derive(Debug, Clone)]
pub struct RawRun {
    pub exit: Exit,
    pub wall: Duration,
    /// User + system CPU of the leader and the children it reaped.
    pub cpu: Duration,
    pub hang: Option<Hang>,
    pub cancelled: bool,
    pub stdout: Captured,
    pub stderr: Captured,
    /// Processes of the tree still alive after the leader exited (then killed).
    pub leaked: Vec<Proc>,
    /// Set for a gated launch whose leader exited by itself after the go.
    pub timed: Option<Timed>,
}

pub trait Sandbox: Send + Sync {
    fn tier(&self) -> Tier;
    /// Runs the tree to completion, deadline or cancellation; always leaves nothing behind.
    fn run(&self, launch: &Launch, limits: &Limits, cancel: &AtomicBool) -> Result<RawRun>;
}

/// The best sandbox this machine allows. Stronger tiers come with the sandbox issue.
pub fn detect() -> Box<dyn Sandbox> {
    Box::new(Minimal)
}
