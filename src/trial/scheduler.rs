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
    /// Trials that completed, in index order. A passing trial's observation is slim (see
    /// `Observation::slim`) unless it is the `exemplar`: memory stays flat however many run.
    pub judged: Vec<Judged>,
    /// The passing trial kept whole, the one `rank` put highest (the lowest index among equals).
    pub exemplar: Option<u64>,
    pub duration: Duration,
}

impl StressRun {
    /// The forbidden outcome with the lowest index: stable whatever finished first.
    pub fn first_failure(&self) -> Option<&Judged> {
        self.judged.iter().find(|j| !j.outcome.is_ok())
    }
}

/// Runs stress trials until `runs`, the budget, or the first failure. Of the passing trials,
/// only the one `rank` puts highest keeps its whole observation.
pub fn stress<R: Ord + Send>(
    runner: &Runner,
    plan: &StressPlan,
    judge: &(dyn Fn(&Observation) -> Outcome + Sync),
    rank: &(dyn Fn(&Judged) -> R + Sync),
) -> Result<StressRun> {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Kept<R>> = Mutex::new(Kept {
        judged: Vec::new(),
        best: None,
    });
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
                        let j = Judged { obs, outcome };
                        let r = j.outcome.is_ok().then(|| rank(&j));
                        results.lock().unwrap().add(j, r);
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
    let kept = results.into_inner().unwrap();
    let mut judged = kept.judged;
    judged.sort_by_key(|j| j.obs.trial.index);
    Ok(StressRun {
        judged,
        exemplar: kept.best.map(|(_, index, _)| index),
        duration: start.elapsed(),
    })
}

/// The judged trials so far, and the best-ranked passing one: (rank, index, position).
struct Kept<R> {
    judged: Vec<Judged>,
    best: Option<(R, u64, usize)>,
}

impl<R: Ord> Kept<R> {
    /// Adds a trial; `rank` is `Some` for a passing one, which stays whole only while best.
    fn add(&mut self, mut j: Judged, rank: Option<R>) {
        let index = j.obs.trial.index;
        if let Some(r) = rank {
            let better = match &self.best {
                None => true,
                Some((b, bi, _)) => r > *b || (r == *b && index < *bi),
            };
            if better {
                if let Some((_, _, pos)) = self.best.take() {
                    self.judged[pos].obs.slim();
                }
                self.best = Some((r, index, self.judged.len()));
            } else {
                j.obs.slim();
            }
        }
        self.judged.push(j);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::TraceSummary;

    /// A trial with `events` events, passing or (with a wrong result) failing.
    fn judged(index: u64, events: usize, ok: bool) -> Judged {
        let evs: Vec<_> = (0..events)
            .map(|i| serde_json::json!([i as f64, "lock_acquire", "L"]))
            .collect();
        let trace: TraceSummary = serde_json::from_value(
            serde_json::json!({"pid": 1, "ppid": 0, "role": "main", "events": evs}),
        )
        .unwrap();
        let obs = Observation::for_tests(index, serde_json::json!({"result": 1}), vec![trace]);
        let outcome = if ok {
            Outcome::Ok
        } else {
            Outcome::Wrong {
                case: "c".into(),
                expected: serde_json::json!(1),
                got: serde_json::json!(2),
            }
        };
        Judged { obs, outcome }
    }

    fn events(k: &Kept<usize>, index: u64) -> usize {
        let j = k
            .judged
            .iter()
            .find(|j| j.obs.trial.index == index)
            .unwrap();
        j.obs.traces[0].events.len()
    }

    #[test]
    fn only_the_best_ranked_pass_and_the_failures_stay_whole() {
        let mut k = Kept {
            judged: Vec::new(),
            best: None,
        };
        let rank = |j: &Judged| j.obs.traces[0].events.len();
        for (index, n, ok) in [(3, 5, true), (1, 9, true), (2, 2, false), (0, 9, true)] {
            let j = judged(index, n, ok);
            let r = ok.then(|| rank(&j));
            k.add(j, r);
        }
        // Trials 1 and 0 tie on rank: the lower index wins, and 1 is slimmed after all.
        assert_eq!(k.best.as_ref().map(|b| b.1), Some(0));
        assert_eq!(events(&k, 0), 9);
        assert_eq!(events(&k, 1), 0);
        assert_eq!(events(&k, 3), 0);
        assert_eq!(events(&k, 2), 2, "a failing trial keeps its events");
        assert_eq!(k.judged.len(), 4);
    }
}
