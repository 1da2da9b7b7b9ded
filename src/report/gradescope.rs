//! Gradescope's `results.json` (format in shared notes, §2.2): one test per check, the
//! failure explained in the output of the check it failed. Built as a value in memory and
//! written whole, so Gradescope never sees half a file.

use super::class::Row;
use super::{Exporter, Text};
use crate::i18n::{t, Lang};
use crate::score::Grade;
use crate::verdict::Verdict;
use serde_json::{json, Value};

pub struct Gradescope;

impl Exporter for Gradescope {
    fn render(&self, g: &Grade) -> String {
        let lang = g.lang;
        let mut details = String::new();
        if let Some(f) = &g.failure {
            Text { color: false }.failure(&mut details, f, &g.submission, lang);
        }
        let tests = g
            .checks
            .iter()
            .map(|c| {
                let mut output = c.message.clone();
                // The details belong to the check the verdict failed.
                if c.verdict != Verdict::Pass && c.verdict.check().as_str() == c.name {
                    output.push_str("\n\n");
                    output.push_str(&details);
                }
                (
                    c.name,
                    c.score,
                    c.max_score,
                    c.verdict == Verdict::Pass,
                    output,
                )
            })
            .collect::<Vec<_>>();
        let summary = format!(
            "{}: {} · {} {}/{}\nseed {} · {} trials, {} failed",
            g.exercise,
            t(lang, &format!("verdict.{}.title", g.verdict)),
            t(lang, "ui.score"),
            g.score,
            g.max_score,
            g.seed,
            g.trials,
            g.failures
        );
        let extra = json!({
            "verdict": g.verdict,
            "seed": g.seed,
            "trials": g.trials,
            "failures": g.failures,
            "sandbox": g.sandbox,
            "carrera_version": g.carrera_version,
        });
        results(
            lang,
            g.score,
            g.duration_s.ceil() as u64,
            summary,
            &tests,
            extra,
        )
    }
}

/// `results.json` for a submission carrera could not grade: every test fails with the reason.
pub fn ungraded(row: &Row, lang: Lang) -> String {
    let reason = row.reason.clone().unwrap_or_default();
    let tests: Vec<_> = row
        .checks
        .iter()
        .map(|c| (c.name.as_str(), 0, c.max_score, false, reason.clone()))
        .collect();
    let summary = format!("{}: {}", row.verdict, reason);
    let extra = json!({ "verdict": row.verdict });
    results(lang, 0, 0, summary, &tests, extra)
}

type Test<'a> = (&'a str, u32, u32, bool, String);

fn results(
    lang: Lang,
    score: u32,
    seconds: u64,
    output: String,
    tests: &[Test],
    extra: Value,
) -> String {
    let tests: Vec<Value> = tests
        .iter()
        .enumerate()
        .map(|(i, (name, score, max, passed, output))| {
            json!({
                "name": t(lang, &format!("check.{name}")),
                "number": (i + 1).to_string(),
                "score": score,
                "max_score": max,
                "status": if *passed { "passed" } else { "failed" },
                "output": output,
                "output_format": "text",
                "visibility": "visible",
            })
        })
        .collect();
    let v = json!({
        "score": score,
        "execution_time": seconds,
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": extra,
    });
    let mut s = serde_json::to_string_pretty(&v).expect("JSON values serialise");
    s.push('\n');
    s
}
