//! Running many trials on all available CPUs: a stress phase bounded by runs and budget that
//! stops at the first forbidden outcome, and a plain parallel batch for replays.

use super::{Perturbation, Purpose, Runner, Timeouts, Trial};
use crate::error::Result;
use crate::exercise::StartMethod;
use crate::judge::Outcome;
use crate::observe::Observation;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct StressPlan {
    pub seed: u64,
    pub runs: u64,
    pub budget: Duration,
    pub methods: Vec<StartMethod>,
    pub cases: usize,
    /// Replay one profile instead of drawing them (`--profile`).
    pub fixed: Option<Perturbation>,
    pub timeouts: Timeouts,
    /// Trials running at a time.
    pub slots: usize,
}

impl StressPlan {
    pub fn trial(&self, index: u64) -> Trial {
        let per_round = self.methods.len() as u64;
        let case = ((index / per_round) % self.cases as u64) as usize;
        let perturbation = match &self.fixed {
            Some(p) => p.clone(),
            None => Perturbation::draw(self.seed, index, &self.methods),
        };
        Trial {
            index,
            purpose: Purpose::Stress,
            case: Some(case),
            perturbation,
        }
    }
}

pub struct Judged {
    pub obs: Observation,
    pub outcome: Outcome,
}

pub struct StressRun {
    /// Trials that completed, in index order.
    pub judged: Vec<Judged>,
    pub duration: Duration,
}

impl StressRun {
    /// The forbidden outcome with the lowest index: stable whatever finished first.
    pub fn first_failure(&self) -> Option<&Judged> {
        self.judged.iter().find(|j| !j.outcome.is_ok())
    }
}

/// Runs stress trials until `runs`, the budget, or the first failure.
pub fn stress(
    runner: &Runner,
    plan: &StressPlan,
    judge: &(dyn Fn(&Observation) -> Outcome + Sync),
) -> Result<StressRun> {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Judged>> = Mutex::new(Vec::new());
    let error: Mutex<Option<crate::error::Error>> = Mutex::new(None);
    let workers = plan.slots.max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) || start.elapsed() >= plan.budget {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= plan.runs {
                    return;
                }
                match runner.run(plan.trial(i), &plan.timeouts, &stop) {
                    Ok(obs) if obs.raw.cancelled => return,
                    Ok(obs) => {
                        let outcome = judge(&obs);
                        if !outcome.is_ok() {
                            stop.store(true, Ordering::Relaxed);
                        }
                        results.lock().unwrap().push(Judged { obs, outcome });
                    }
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        *error.lock().unwrap() = Some(e);
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap() {
        return Err(e);
    }
    let mut judged = results.into_inner().unwrap();
    judged.sort_by_key(|j| j.obs.trial.index);
    Ok(StressRun {
        judged,
        duration: start.elapsed(),
    })
}

/// Runs every trial, `runner.cpus()` at a time, and returns them judged, in order.
pub fn batch(
    runner: &Runner,
    trials: Vec<Trial>,
    timeouts: &Timeouts,
    judge: &(dyn Fn(&Observation) -> Outcome + Sync),
) -> Result<Vec<Judged>> {
    let queue = Mutex::new(trials.into_iter().enumerate().collect::<Vec<_>>());
    let results: Mutex<Vec<(usize, Judged)>> = Mutex::new(Vec::new());
    let error: Mutex<Option<crate::error::Error>> = Mutex::new(None);
    let never = AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..runner.cpus().max(1) {
            s.spawn(|| loop {
                let Some((k, trial)) = queue.lock().unwrap().pop() else {
                    return;
                };
                match runner.run(trial, timeouts, &never) {
                    Ok(obs) => {
                        let outcome = judge(&obs);
                        results.lock().unwrap().push((k, Judged { obs, outcome }));
                    }
                    Err(e) => {
                        *error.lock().unwrap() = Some(e);
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap() {
        return Err(e);
    }
    let mut out = results.into_inner().unwrap();
    out.sort_by_key(|(k, _)| *k);
    Ok(out.into_iter().map(|(_, j)| j).collect())
}
