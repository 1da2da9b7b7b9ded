//! `junit.xml`: one test suite per submission, one test case per check. Failures carry the
//! verdict and its hint, never measured values, so two runs with the same verdicts agree.

use super::class::{Row, GRADER_ERROR, INVALID};
use super::Exporter;
use crate::score::Grade;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// One grading as a report of one suite (`carrera grade --junit`).
pub struct Junit;

impl Exporter for Junit {
    fn render(&self, g: &Grade) -> String {
        // Named by file, as a batch names its rows: `./counter.py` would read `04-lock../counter.py`.
        let name = std::path::Path::new(&g.submission).file_name().map_or_else(
            || g.submission.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
        let row = Row::graded(name, String::new(), None, g);
        render(&g.exercise, &[row])
    }
}

pub fn render(exercise: &str, rows: &[Row]) -> String {
    let mut report = Report::new(format!("carrera {exercise}"));
    for r in rows {
        let mut suite = TestSuite::new(r.name.clone());
        for c in &r.checks {
            let status = if c.verdict == "pass" {
                TestCaseStatus::success()
            } else {
                let kind = if r.verdict == GRADER_ERROR {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_type(c.verdict.clone());
                s.set_message(message(r, &c.verdict));
                s.set_description(description(r));
                s
            };
            let mut case = TestCase::new(c.name.clone(), status);
            case.set_classname(format!("{exercise}.{}", r.name));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .expect("a JUnit report always serialises")
}

fn message(r: &Row, verdict: &str) -> String {
    match (verdict, &r.reason) {
        (INVALID | GRADER_ERROR, Some(reason)) => format!("{verdict}: {reason}"),
        _ => match r.failure_field("title") {
            Some(t) => format!("{verdict}: {t}"),
            None => verdict.to_string(),
        },
    }
}

fn description(r: &Row) -> String {
    let mut d = String::new();
    if let Some(h) = r.failure_field("hint") {
        d.push_str(h);
        d.push('\n');
    }
    // A lone grading (`grade --junit`) has no feedback folder.
    if !r.dir.is_empty() {
        d.push_str(&format!("feedback: {}/feedback.txt", r.dir));
    }
    d.trim_end().to_string()
}
