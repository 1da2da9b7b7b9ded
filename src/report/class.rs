//! What class-level reports render: one `Row` per submission of a batch. A row is also the
//! record a batch stores per submission (resume, merge), so it must round-trip through JSON.

use crate::exercise::Exercise;
use crate::i18n::Lang;
use crate::score::Grade;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// Verdict of a submission that could not be graded because of the student's files.
pub const INVALID: &str = "invalid_submission";
/// Verdict of a submission that broke the grader: never the student's fault.
pub const GRADER_ERROR: &str = "grader_error";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The file or folder name in the class folder (lossy UTF-8).
    pub name: String,
    /// The row's folder in OUTDIR: a sanitised, unique form of `name`.
    pub dir: String,
    /// The graded file, relative to the class folder.
    pub entry: Option<String>,
    /// A verdict, or `invalid_submission` / `grader_error`.
    pub verdict: String,
    pub score: u32,
    pub max_score: u32,
    pub checks: Vec<RowCheck>,
    /// Why an invalid submission or a grader error has no grade.
    pub reason: Option<String>,
    /// The full grade (docs/json-schema.md) when there is one.
    pub grade: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowCheck {
    pub name: String,
    pub verdict: String,
    pub score: u32,
    pub max_score: u32,
}

/// Evidence that stress found a bug one plain run could have missed.
#[derive(Debug, Clone, PartialEq)]
pub struct StressNote {
    /// Stress trials that passed before the first failure.
    pub passed_before: u64,
    /// Failing runs out of runs of the failing profile.
    pub reproduced: (u64, u64),
}

impl Row {
    pub fn graded(name: String, dir: String, entry: Option<String>, g: &Grade) -> Row {
        Row {
            name,
            dir,
            entry,
            verdict: g.verdict.as_str().to_string(),
            score: g.score,
            max_score: g.max_score,
            checks: g
                .checks
                .iter()
                .map(|c| RowCheck {
                    name: c.name.to_string(),
                    verdict: c.verdict.as_str().to_string(),
                    score: c.score,
                    max_score: c.max_score,
                })
                .collect(),
            reason: None,
            grade: Some(serde_json::to_value(g).expect("a Grade always serialises")),
        }
    }

    /// A row with no grade: every check fails with `verdict` (INVALID or GRADER_ERROR).
    pub fn ungraded(
        ex: &Exercise,
        name: String,
        dir: String,
        entry: Option<String>,
        verdict: &str,
        reason: String,
    ) -> Row {
        // The checks a grading of this exercise reports, as the scorer lists them.
        let tally = crate::score::Tally {
            trials: 0,
            failures: 0,
        };
        let checks: Vec<RowCheck> =
            crate::score::checks(ex, Verdict::CompileError, &tally, true, None, Lang::En)
                .into_iter()
                .map(|c| RowCheck {
                    name: c.name.to_string(),
                    verdict: verdict.to_string(),
                    score: 0,
                    max_score: c.max_score,
                })
                .collect();
        Row {
            name,
            dir,
            entry,
            verdict: verdict.to_string(),
            score: 0,
            max_score: checks.iter().map(|c| c.max_score).sum(),
            checks,
            reason: Some(reason),
            grade: None,
        }
    }

    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass.as_str()
    }

    pub fn is_grader_error(&self) -> bool {
        self.verdict == GRADER_ERROR
    }

    /// Some when the failure needed stress to show: earlier trials passed, or replays of
    /// the failing profile did not all fail.
    pub fn stress_note(&self) -> Option<StressNote> {
        let f = self.grade.as_ref()?.get("failure")?;
        let passed_before = f.get("passed_before")?.as_u64()?;
        let r = f.get("reproduced")?.as_array()?;
        let reproduced = (r.first()?.as_u64()?, r.get(1)?.as_u64()?);
        (passed_before > 0 || reproduced.0 < reproduced.1).then_some(StressNote {
            passed_before,
            reproduced,
        })
    }

    /// A string field of the grade's failure (`title`, `hint`, ...).
    pub fn failure_field(&self, key: &str) -> Option<&str> {
        self.grade.as_ref()?.get("failure")?.get(key)?.as_str()
    }
}

/// Check names in the order of the first row that has them (the same for every row of one
/// exercise), so columns never depend on which submissions failed.
pub fn check_names(rows: &[Row]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        for c in &r.checks {
            if !names.contains(&c.name) {
                names.push(c.name.clone());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows are saved as JSON and rendered again on resume and merge: a row read back must
    /// serialise to the same bytes, measured floats included.
    #[test]
    fn a_row_round_trips_through_json_byte_for_byte() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2000 {
            let x = rng.f64() * 10f64.powi(rng.i32(-8..8));
            let row = Row {
                name: "a".into(),
                dir: "a".into(),
                entry: None,
                verdict: "pass".into(),
                score: 1,
                max_score: 1,
                checks: Vec::new(),
                reason: None,
                grade: Some(serde_json::json!({ "duration_s": x })),
            };
            let once = serde_json::to_string(&row).unwrap();
            let back: Row = serde_json::from_str(&once).unwrap();
            assert_eq!(serde_json::to_string(&back).unwrap(), once, "{x}");
        }
    }
}
