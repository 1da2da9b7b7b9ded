//! Verdicts + weights → Grade: the result every exporter renders. Its JSON form is the
//! documented, stable schema (docs/json-schema.md).

use crate::classify::Finding;
use crate::exercise::Exercise;
use crate::i18n::{t, tf, Lang};
use crate::judge::Outcome;
use crate::observe::Frame;
use crate::prepare::CompileError;
use crate::sandbox::{Proc, Tier};
use crate::verdict::{Check, Verdict};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Grade {
    pub exercise: String,
    pub submission: String,
    pub verdict: Verdict,
    pub score: u32,
    pub max_score: u32,
    pub trials: usize,
    pub failures: usize,
    pub seed: u64,
    pub duration_s: f64,
    pub checks: Vec<CheckResult>,
    pub lang: Lang,
    pub sandbox: Tier,
    /// The mechanisms behind the tier (`cgroup`, `landlock`, ...).
    #[serde(default)]
    pub isolation: Vec<String>,
    pub python: String,
    /// The exercise's start methods this Python lacks (e.g. `fork` on Windows): not tried,
    /// and not held against the student.
    pub skipped_methods: Vec<crate::exercise::StartMethod>,
    /// Per-trial timeout by start method, seconds (derived from the reference's time).
    pub timeout_s: std::collections::BTreeMap<&'static str, f64>,
    pub trials_per_second: f64,
    pub failure: Option<FailureReport>,
    /// Only for exercises with a `[speedup]` section.
    pub speedup: Option<crate::speedup::Speedup>,
    /// What the processes did in one trial (the failing one, if any).
    #[serde(skip_serializing_if = "crate::picture::Picture::is_empty")]
    pub picture: crate::picture::Picture,
    pub carrera_version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub name: &'static str,
    pub verdict: Verdict,
    pub score: u32,
    pub max_score: u32,
    pub trials: usize,
    pub failures: usize,
    pub message: String,
}

/// Everything a student needs about the failure the verdict rests on.
#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    pub verdict: Verdict,
    pub title: String,
    pub concept: String,
    pub hint: String,
    pub case: Option<String>,
    /// e.g. `count_with_lock(4, 200)`.
    pub call: Option<String>,
    pub profile: Option<String>,
    pub reproduced: Option<(usize, usize)>,
    /// Stress trials that passed before the failing one: a single run would have missed it.
    pub passed_before: Option<usize>,
    pub fork_passed: Option<usize>,
    pub replay: Option<String>,
    pub compile: Option<CompileError>,
    /// The judged outcome, with the student's file in place of the workspace path.
    pub outcome: Option<Outcome>,
    pub diff: Option<String>,
    pub traceback: Vec<Frame>,
    pub leaked: Vec<Proc>,
    /// What happened, in words, when no outcome says it (e.g. the speedup measurement).
    pub detail: Option<String>,
    /// A question to think about; it never changes the verdict or the score.
    pub question: Option<crate::question::Question>,
}

pub struct Tally {
    pub trials: usize,
    pub failures: usize,
}

/// Builds the checks: the one the verdict belongs to fails, the others pass on the trials
/// that ran. Compile errors and failed imports fail everything: nothing could be checked.
/// For exercises that score speedup, its check comes last, from `speedup` (not measured when
/// `None`): the same columns whatever happened.
pub fn checks(
    ex: &Exercise,
    verdict: Verdict,
    tally: &Tally,
    everything_failed: bool,
    speedup: Option<&crate::speedup::Speedup>,
    lang: Lang,
) -> Vec<CheckResult> {
    let mut out = fixed_checks(ex, verdict, tally, everything_failed, lang);
    if ex.spec.speedup.is_some() {
        let not_measured;
        let sp = match speedup {
            Some(sp) => sp,
            None => {
                not_measured = crate::speedup::Speedup::skipped_for(ex, lang);
                &not_measured
            }
        };
        out.push(speedup_check(sp));
    }
    out
}

fn fixed_checks(
    ex: &Exercise,
    verdict: Verdict,
    tally: &Tally,
    everything_failed: bool,
    lang: Lang,
) -> Vec<CheckResult> {
    Check::ALL
        .iter()
        .filter(|&&c| c != Check::Speedup)
        .map(|&c| {
            let max = c.weight(&ex.spec.weights);
            let failed = everything_failed || verdict.fails(c);
            let v = if failed { verdict } else { Verdict::Pass };
            let message = if failed {
                tf(
                    lang,
                    "ui.check_fail",
                    &[("title", t(lang, &format!("verdict.{v}.title")))],
                )
            } else {
                tf(
                    lang,
                    "ui.check_pass",
                    &[("trials", tally.trials.to_string())],
                )
            };
            CheckResult {
                name: c.as_str(),
                verdict: v,
                score: if failed { 0 } else { max },
                max_score: max,
                trials: tally.trials,
                failures: if failed { tally.failures } else { 0 },
                message,
            }
        })
        .collect()
}

/// The speedup check, from its measurement (partial marks are possible).
pub fn speedup_check(sp: &crate::speedup::Speedup) -> CheckResult {
    CheckResult {
        name: Check::Speedup.as_str(),
        verdict: if sp.full() {
            Verdict::Pass
        } else {
            Verdict::NoSpeedup
        },
        score: sp.score,
        max_score: sp.max_score,
        trials: sp.runs.len(),
        failures: 0,
        message: sp.message.clone(),
    }
}

impl FailureReport {
    pub fn new(verdict: Verdict, lang: Lang) -> FailureReport {
        let key = |part: &str| t(lang, &format!("verdict.{verdict}.{part}"));
        FailureReport {
            verdict,
            title: key("title"),
            concept: key("concept"),
            hint: key("hint"),
            case: None,
            call: None,
            profile: None,
            reproduced: None,
            passed_before: None,
            fork_passed: None,
            replay: None,
            compile: None,
            outcome: None,
            diff: None,
            traceback: Vec::new(),
            leaked: Vec::new(),
            detail: None,
            question: None,
        }
    }

    pub fn from_finding(f: &Finding, lang: Lang) -> FailureReport {
        FailureReport {
            profile: Some(f.profile.clone()),
            reproduced: Some(f.reproduced),
            fork_passed: f.fork_passed,
            outcome: Some(f.outcome.clone()),
            ..FailureReport::new(f.verdict, lang)
        }
    }
}
