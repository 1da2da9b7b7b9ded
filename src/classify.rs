//! Outcomes → Verdict for the first failing trial: replay it to measure how often it fails,
//! cross-check spawn/forkserver failures under fork, and tell `wrong` from `race`.

use crate::error::Result;
use crate::exercise::StartMethod;
use crate::judge::Outcome;
use crate::trial::scheduler::{batch, Judged};
use crate::trial::{Perturbation, Purpose, Runner, Timeouts, Trial};
use crate::verdict::Verdict;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub verdict: Verdict,
    /// The failing outcome the verdict rests on.
    pub outcome: Outcome,
    pub case: Option<usize>,
    /// The profile that failed; replay it with `--profile`.
    pub profile: String,
    /// Failing runs out of runs of that profile (the original included).
    pub reproduced: (usize, usize),
    /// For `not_portable`: runs under fork that passed.
    pub fork_passed: Option<usize>,
    /// Trials run while classifying (replays, cross-checks), and how many of them failed.
    pub extra_trials: usize,
    pub extra_failures: usize,
}

pub fn classify(
    runner: &Runner,
    first: &Judged,
    replays: usize,
    // The start methods this Python offers: no fork, no cross-check under it.
    methods: &[StartMethod],
    timeout: &Timeouts,
    judge: &(dyn Fn(&crate::observe::Observation) -> Outcome + Sync),
) -> Result<Finding> {
    let fork = methods.contains(&StartMethod::Fork);
    let quiet = StartMethod::preferred(methods);
    let hang = matches!(first.outcome, Outcome::Hang { .. });
    // A hang costs a whole timeout: replay only as many as run at once.
    let n = if hang {
        replays.min(runner.cpus())
    } else {
        replays
    };
    let t = &first.obs.trial;
    let trials = |purpose, profiles: Vec<Perturbation>| -> Vec<Trial> {
        profiles
            .into_iter()
            .enumerate()
            .map(|(i, perturbation)| Trial {
                index: t.index * 1000 + i as u64,
                purpose,
                case: t.case,
                perturbation,
            })
            .collect()
    };
    let same = vec![t.perturbation.clone(); n];
    let replayed = batch(runner, trials(Purpose::Replay, same), timeout, judge)?;
    let mut extra = Tally::default();
    extra.add(&replayed);
    let mut group = vec![clone_judged(first)];
    group.extend(replayed);

    if fork && t.perturbation.method != StartMethod::Fork {
        // Enough runs, of several kinds, that a race fork can show is not mistaken for a
        // portability problem (seen: 1 in 20 gradings with 4 runs of one kind).
        let profiles = Perturbation::fork_cross_checks(t.perturbation.seed, n.max(2) * 2);
        let cross = batch(
            runner,
            trials(Purpose::CrossCheck, profiles),
            timeout,
            judge,
        )?;
        extra.add(&cross);
        if count_failures(&cross) == 0 {
            return Ok(Finding {
                verdict: Verdict::NotPortable,
                outcome: first.outcome.clone(),
                case: t.case,
                profile: t.perturbation.to_string(),
                reproduced: (count_failures(&group), group.len()),
                fork_passed: Some(cross.len()),
                extra_trials: extra.trials,
                extra_failures: extra.failures,
            });
        }
        // Fork fails too: the bug is not about start methods; judge it under fork.
        group = cross;
    }
    let failures = count_failures(&group);
    let primary = group
        .iter()
        .find(|j| !j.outcome.is_ok())
        .expect("a failure");
    let mut verdict = primary.outcome.verdict();
    if verdict == Verdict::Wrong
        && !deterministic(runner, &group, quiet, timeout, judge, &mut extra)?
    {
        verdict = Verdict::Race;
    }
    Ok(Finding {
        verdict,
        outcome: primary.outcome.clone(),
        case: primary.obs.trial.case,
        profile: primary.obs.trial.perturbation.to_string(),
        reproduced: (failures, group.len()),
        fork_passed: None,
        extra_trials: extra.trials,
        extra_failures: extra.failures,
    })
}

/// A wrong result is deterministic when every run, perturbed or not, gives the same value.
fn deterministic(
    runner: &Runner,
    group: &[Judged],
    method: StartMethod,
    timeout: &Timeouts,
    judge: &(dyn Fn(&crate::observe::Observation) -> Outcome + Sync),
    extra: &mut Tally,
) -> Result<bool> {
    let got = |j: &Judged| match &j.outcome {
        Outcome::Wrong { got, .. } => Some(got.clone()),
        // A judge's `wrong` carries its own description of what it saw.
        Outcome::Property { en, .. } => Some(serde_json::Value::String(en.clone())),
        _ => None,
    };
    let first = got(&group[0]);
    if group.iter().any(|j| got(j) != first) {
        return Ok(false);
    }
    let t = &group[0].obs.trial;
    let quiet: Vec<Trial> = (0..2)
        .map(|i| Trial {
            index: t.index * 1000 + 500 + i,
            purpose: Purpose::Replay,
            case: t.case,
            perturbation: Perturbation::quiet(method),
        })
        .collect();
    let quiet = batch(runner, quiet, timeout, judge)?;
    extra.add(&quiet);
    Ok(quiet.iter().all(|j| got(j) == first))
}

#[derive(Default)]
struct Tally {
    trials: usize,
    failures: usize,
}

impl Tally {
    fn add(&mut self, judged: &[Judged]) {
        self.trials += judged.len();
        self.failures += count_failures(judged);
    }
}

fn count_failures(group: &[Judged]) -> usize {
    group.iter().filter(|j| !j.outcome.is_ok()).count()
}

fn clone_judged(j: &Judged) -> Judged {
    Judged {
        obs: j.obs.clone(),
        outcome: j.outcome.clone(),
    }
}
