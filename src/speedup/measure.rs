//! The measurement: the student's and the reference's function, each with 1 worker and with P,
//! one call per process (forked from a warm server), timed from outside, interleaved in a
//! random order within each repetition, after a warm-up. Nothing else of carrera runs meanwhile.

use super::estimate::{Evidence, BUSY_SHARE};
use crate::error::{Error, Result};
use crate::exercise::SpeedupSpec;
use crate::observe::{Observation, Record};
use crate::trial::{Perturbation, Purpose, Runner, Timeouts, Trial};
use serde::Serialize;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    Student,
    Reference,
}

/// One timed call.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub who: Who,
    pub workers: usize,
    pub repetition: usize,
    pub wall_s: f64,
    pub cpu_s: f64,
    pub busy_processes: usize,
    /// Processes seen in the tree during the call.
    pub processes: usize,
    pub overlap: f64,
}

impl Run {
    pub fn evidence(&self) -> Evidence {
        Evidence {
            parallelism: if self.wall_s > 0.0 {
                self.cpu_s / self.wall_s
            } else {
                0.0
            },
            busy_processes: self.busy_processes,
            overlap: self.overlap,
        }
    }
}

/// Why a student's timed call gave no time.
#[derive(Debug, Clone)]
pub enum Failed {
    /// It did not finish by itself.
    Run { workers: usize, how: Ended },
    /// It finished with a different result than the reference's for the same call.
    Result {
        workers: usize,
        expected: serde_json::Value,
        got: serde_json::Value,
    },
}

#[derive(Debug, Clone)]
pub enum Ended {
    /// Still running at the limit: ten times the reference's time, so no speedup to find.
    TooSlow {
        limit_s: f64,
    },
    Raised {
        kind: String,
        message: String,
    },
    Signal(i32),
    /// Exit status and the `reason.*` code of the missing or malformed record.
    Exited(i32, &'static str),
}

/// Both programs' runners and the two calls (1 worker, P workers) they make.
pub struct Bench<'a> {
    pub student: &'a Runner,
    pub reference: &'a Runner,
    pub spec: &'a SpeedupSpec,
    pub cpus: usize,
    pub seed: u64,
}

/// The case index of each call in the runners' case lists (see `calls`).
const ONE: usize = 0;
const MANY: usize = 1;

/// The (id, args, kwargs) the speedup runners are built with: the 1-worker call, then P.
pub fn calls(
    spec: &SpeedupSpec,
    cpus: usize,
) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    [(ONE, 1), (MANY, cpus)]
        .into_iter()
        .map(|(i, workers)| {
            let mut args: Vec<serde_json::Value> = spec
                .args
                .iter()
                .map(|a| serde_json::to_value(a).unwrap_or_default())
                .collect();
            args[spec.workers_arg] = serde_json::json!(workers);
            let id = if i == ONE { "speedup_1" } else { "speedup_p" };
            (
                id.to_string(),
                serde_json::Value::Array(args),
                serde_json::to_value(&spec.kwargs).unwrap_or_default(),
            )
        })
        .collect()
}

impl Bench<'_> {
    fn trial(&self, call: usize) -> Trial {
        Trial {
            index: call as u64,
            purpose: Purpose::Speedup,
            case: Some(call),
            perturbation: Perturbation::quiet(self.spec.method),
        }
    }

    fn workers(&self, call: usize) -> usize {
        if call == ONE {
            1
        } else {
            self.cpus
        }
    }

    /// One timed call, stopped at `limit`; the result is returned for comparison.
    fn call(
        &self,
        who: Who,
        call: usize,
        rep: usize,
        limit: Duration,
    ) -> Result<std::result::Result<(Run, serde_json::Value), Failed>> {
        let runner = match who {
            Who::Student => self.student,
            Who::Reference => self.reference,
        };
        let obs = runner.run(
            self.trial(call),
            &Timeouts::uniform(limit),
            &AtomicBool::new(false),
        )?;
        let workers = self.workers(call);
        let outcome = timed(&obs, who, workers, rep, limit);
        if let (Err(f), Who::Reference) = (&outcome, who) {
            return Err(Error::Internal(format!(
                "the reference solution's timed call with {workers} workers failed: {f:?}"
            )));
        }
        Ok(outcome)
    }

    /// Warm-up, then `reps` repetitions of the four calls; `more` says whether to go on after
    /// each repetition past the first `reps`, up to `max`.
    pub fn run(
        &self,
        reps: usize,
        max: usize,
        more: &dyn Fn(&[Run]) -> bool,
    ) -> Result<std::result::Result<Vec<Run>, Failed>> {
        let mut rng = fastrand::Rng::with_seed(self.seed);
        // Warm-up, not counted: one reference P-worker call, for CPU frequency, caches and the
        // start method's first-use costs (the stress phase has already warmed the
        // interpreter's files). Its time also sets the student's limit: ten times the
        // reference's 1-worker time at most, since a call that slow has no speedup to find.
        let spec_limit = Duration::from_secs_f64(self.spec.timeout_s.0);
        let warm = match self.call(Who::Reference, MANY, 0, spec_limit)? {
            Ok((run, _)) => run.wall_s,
            Err(_) => unreachable!("a reference failure is an Err above"),
        };
        let limit = Duration::from_secs_f64(
            (TOO_SLOW * warm * self.cpus as f64).clamp(MIN_LIMIT_S, self.spec.timeout_s.0),
        );
        let mut runs = Vec::new();
        let mut expected: [Option<serde_json::Value>; 2] = [None, None];
        let mut rep = 1;
        while rep <= reps || (rep <= max && more(&runs)) {
            let mut order = [
                (Who::Student, ONE),
                (Who::Student, MANY),
                (Who::Reference, ONE),
                (Who::Reference, MANY),
            ];
            rng.shuffle(&mut order);
            let mut got = Vec::new();
            for (who, call) in order {
                let limit = if who == Who::Student {
                    limit
                } else {
                    spec_limit
                };
                match self.call(who, call, rep, limit)? {
                    Ok((run, result)) => {
                        got.push((who, call, result));
                        runs.push(run);
                    }
                    Err(f) => return Ok(Err(f)),
                }
            }
            for (who, call, result) in &got {
                if *who == Who::Reference {
                    expected[*call].get_or_insert_with(|| result.clone());
                }
            }
            for (who, call, result) in got {
                match &expected[call] {
                    Some(e) if who == Who::Student && *e != result => {
                        return Ok(Err(Failed::Result {
                            workers: self.workers(call),
                            expected: e.clone(),
                            got: result,
                        }))
                    }
                    _ => {}
                }
            }
            rep += 1;
        }
        Ok(Ok(runs))
    }
}

/// A student's call slower than this many times the reference's 1-worker time is stopped.
const TOO_SLOW: f64 = 10.0;
/// ...but never before this many seconds (the call's set-up is inside the limit).
const MIN_LIMIT_S: f64 = 3.0;

/// The timed run of an observation, or why there is none.
fn timed(
    obs: &Observation,
    who: Who,
    workers: usize,
    repetition: usize,
    limit: Duration,
) -> std::result::Result<(Run, serde_json::Value), Failed> {
    use crate::sandbox::Exit;
    let fail = |how: Ended| Failed::Run { workers, how };
    let ended = |code: &'static str| match obs.raw.exit {
        Exit::Killed => Ended::TooSlow {
            limit_s: limit.as_secs_f64(),
        },
        Exit::Signal(s) => Ended::Signal(s),
        Exit::Code(c) => Ended::Exited(c, code),
    };
    let value = match &obs.record {
        Ok(Record::Returned { value, .. }) => value.get("result").cloned(),
        Ok(Record::Raised { error, .. }) => {
            return Err(fail(Ended::Raised {
                kind: error.kind.clone(),
                message: error.message.clone(),
            }))
        }
        Ok(_) => None,
        Err(code) => return Err(fail(ended(code))),
    };
    let (Some(t), Some(value)) = (&obs.raw.timed, value) else {
        return Err(fail(ended("no_result")));
    };
    let wall = t.wall.as_secs_f64();
    let sampled: f64 = t.per_process.values().sum();
    Ok((
        Run {
            who,
            workers,
            repetition,
            wall_s: wall,
            // wait4 misses children nobody reaped; sampling misses the last few milliseconds.
            cpu_s: t.cpu.as_secs_f64().max(sampled),
            busy_processes: t
                .per_process
                .values()
                .filter(|&&c| c >= BUSY_SHARE * wall)
                .count(),
            processes: t.per_process.len(),
            overlap: t.overlap,
        },
        value,
    ))
}
