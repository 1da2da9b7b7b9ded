//! Trials: one run of one case under one perturbation, each a fresh process tree in a fresh
//! workspace. `Runner` turns a `Trial` into an `Observation`; `scheduler` runs many.

mod perturbation;
mod run;
pub mod scheduler;

pub use perturbation::{mix, CpuSet, Noise, Perturbation};
pub use run::{available_cpus, Runner, RunnerConfig, Warm};

use serde::Serialize;

/// Why a trial is run; it names the workspace and shows in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Import the submission and check the function exists.
    Import,
    /// Measure the reference solution (timeouts, expected results).
    Calibrate,
    Stress,
    /// Re-run a failing trial's profile to measure how often it fails.
    Replay,
    /// Re-run a spawn/forkserver failure under fork to tell portability from concurrency.
    CrossCheck,
    /// A timed call for speedup: quiet, alone on the machine, clocked from outside.
    Speedup,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    pub index: u64,
    pub purpose: Purpose,
    /// Index into the exercise's cases; `None` for an import trial.
    pub case: Option<usize>,
    pub perturbation: Perturbation,
}

/// The module name submissions are imported as.
pub fn run_module() -> &'static str {
    run::MODULE
}

/// Per-trial wall-clock limits by start method: spawned interpreters boot slower, and one
/// shared limit would make every fork deadlock wait as long as the slowest spawn run.
#[derive(Debug, Clone, Serialize)]
pub struct Timeouts {
    pub fork: std::time::Duration,
    pub spawn: std::time::Duration,
    pub forkserver: std::time::Duration,
}

impl Timeouts {
    pub fn uniform(d: std::time::Duration) -> Timeouts {
        Timeouts {
            fork: d,
            spawn: d,
            forkserver: d,
        }
    }

    pub fn get(&self, m: crate::exercise::StartMethod) -> std::time::Duration {
        use crate::exercise::StartMethod::*;
        match m {
            Fork => self.fork,
            Spawn => self.spawn,
            Forkserver => self.forkserver,
        }
    }

    pub fn get_mut(&mut self, m: crate::exercise::StartMethod) -> &mut std::time::Duration {
        use crate::exercise::StartMethod::*;
        match m {
            Fork => &mut self.fork,
            Spawn => &mut self.spawn,
            Forkserver => &mut self.forkserver,
        }
    }
}
