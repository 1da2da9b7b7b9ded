//! The picture of one judged trial: its timeline, plus the lost update of a wrong result or
//! the wait-for graph of a hang.

use super::{lost_update, timeline, wait_for, Picture};
use crate::judge::Outcome;
use crate::observe::Observation;
use std::collections::{BTreeMap, BTreeSet};

/// `outcome` must already be in the student's terms (file names and source lines filled in).
pub fn of_trial(obs: &Observation, outcome: &Outcome, case: Option<&str>) -> Picture {
    let mut stuck = BTreeMap::new();
    let mut waiting_in = BTreeMap::new();
    let mut alive = BTreeSet::new();
    match outcome {
        Outcome::Hang { stuck: s, .. } => {
            for p in s.iter().filter(|p| p.role == "main" || p.role == "child") {
                if let Some(f) = &p.at {
                    // The file is always the student's: its name is enough.
                    let name = f.file.rsplit('/').next().unwrap_or(&f.file);
                    let text = f.text.as_deref().map(str::trim).unwrap_or_default();
                    let at = format!("{name}:{}  {text}", f.line);
                    stuck.insert(p.pid, at.trim().to_string());
                }
                if let Some(w) = &p.waiting_in {
                    waiting_in.insert(p.pid, w.clone());
                }
            }
        }
        Outcome::Leak { procs, .. } => alive.extend(procs.iter().map(|p| p.pid)),
        _ => {}
    }
    let label = match case {
        Some(c) => format!("{c} · {}", obs.trial.perturbation),
        None => obs.trial.perturbation.to_string(),
    };
    let gate = obs.trial.perturbation.gate_ms > 0;
    let timeline = timeline(label, &obs.traces, &stuck, &alive, gate);
    let wait_for = match outcome {
        Outcome::Hang { .. } => timeline.as_ref().and_then(|t| wait_for(t, &waiting_in)),
        _ => None,
    };
    let lost_update = match outcome {
        Outcome::Wrong { .. } => lost_update(&obs.traces),
        _ => None,
    };
    Picture {
        timeline,
        lost_update,
        wait_for,
        wrong_results: vec![],
    }
}

/// Each wrong result of `case` over the trials, most frequent first (at most 8).
pub fn wrong_results<'a>(
    outcomes: impl Iterator<Item = &'a Outcome>,
    case: &str,
) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for o in outcomes {
        if let Outcome::Wrong { case: c, got, .. } = o {
            if c == case {
                *counts.entry(got.to_string()).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(8);
    v
}
