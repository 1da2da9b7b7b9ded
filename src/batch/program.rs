//! One student's whole program in a batch: its row of the gradebook and its feedback files.

use super::discover::Entry;
use crate::exercise::ProgramExercise;
use crate::grade::Context;
use crate::program::{self, ProgramGrade};
use crate::report::class::{Row, RowCheck, GRADER_ERROR, INVALID};
use crate::report::{self, program as render};
use std::path::Path;

/// Grades one folder. Never fails: what goes wrong becomes an `invalid_submission` (the
/// student's files) or `grader_error` (ours) row.
pub fn grade_entry(
    ctx: &Context,
    ex: &ProgramExercise,
    opts: &program::Options,
    class: &Path,
    e: &Entry,
) -> (Row, Vec<(&'static str, String)>) {
    let ungraded = |verdict: &str, reason: String| {
        let checks: Vec<RowCheck> = (ex.spec.checks.iter())
            .map(|(name, c)| RowCheck {
                name: name.clone(),
                verdict: verdict.to_string(),
                score: 0,
                max_score: c.points,
            })
            .collect();
        let row = Row {
            name: e.name.clone(),
            dir: e.dir.clone(),
            entry: None,
            verdict: verdict.to_string(),
            score: 0,
            max_score: ex.max_points(),
            checks,
            reason: Some(reason),
            grade: None,
        };
        let (html, text) = report::ungraded::feedback(ex.id(), &row, opts.lang);
        let gs = report::ungraded::gradescope(&row, opts.lang);
        let files = vec![
            ("feedback.txt", text),
            ("feedback.html", html),
            ("results.json", gs),
        ];
        (row, files)
    };
    let folder = match &e.source {
        Ok(p) => p,
        Err(reason) => return ungraded(INVALID, reason.clone()),
    };
    let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        program::grade(ctx, ex, folder, opts)
    }));
    // Reports name the folder relative to the class folder: no machine paths in the results.
    let shown = |msg: String| msg.replace(&class.display().to_string(), ".");
    match graded {
        Ok(Ok(mut g)) => {
            g.submission = folder.strip_prefix(class).unwrap_or(folder).to_path_buf();
            let row = row_of(e, &g);
            let files = vec![
                ("feedback.txt", render::text(&g)),
                ("feedback.html", render::html(&g)),
                ("results.json", render::gradescope(&g)),
            ];
            (row, files)
        }
        Ok(Err(crate::error::Error::Usage(msg))) => ungraded(INVALID, shown(msg)),
        Ok(Err(err)) => ungraded(GRADER_ERROR, shown(err.to_string())),
        Err(_) => ungraded(GRADER_ERROR, "internal error: the grader panicked".into()),
    }
}

fn row_of(e: &Entry, g: &ProgramGrade) -> Row {
    Row {
        name: e.name.clone(),
        dir: e.dir.clone(),
        entry: Some(g.entry.clone()),
        verdict: g.verdict.as_str().to_string(),
        score: g.points,
        max_score: g.max_points,
        checks: (g.checks.iter())
            .map(|c| RowCheck {
                name: c.check.clone(),
                verdict: if c.passed { "pass" } else { g.verdict.as_str() }.to_string(),
                score: c.points,
                max_score: c.max,
            })
            .collect(),
        reason: None,
        grade: Some(serde_json::to_value(g).expect("a grade serialises")),
    }
}
