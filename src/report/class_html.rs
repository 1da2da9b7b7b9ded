//! `report.html`: the class overview, one self-contained page: verdict counts and score
//! distribution as inline SVG, the checks that fail most, the bugs only stress found, and a
//! table linking each student's feedback. No scripts, no fetches (CSP), names escaped.

use super::class::{check_names, Row, GRADER_ERROR, INVALID};
use super::html::{esc, CSP, STYLE};
use crate::verdict;
use std::fmt::Write;

const EXTRA_STYLE: &str = ".chart text{font:12px system-ui,sans-serif}.bar{fill:#4a6fa5}
.v-pass{fill:#2e8540}.v-fail{fill:#c0392b}.v-err{fill:#7f8c8d}
td.num{text-align:right}section{margin-bottom:2em}body{max-width:80em}";

/// `settings`: one line on how the batch was run (no clock readings).
pub fn render(exercise: &str, settings: &str, rows: &[Row]) -> String {
    let mut b = String::new();
    let pass = rows.iter().filter(|r| r.passed()).count();
    let errors = rows.iter().filter(|r| r.is_grader_error()).count();
    let _ = writeln!(
        b,
        "<h1>{} · class report</h1>\n<p id=\"summary\"><b>{}</b> submissions · <b class=\"pass\">{pass}</b> pass · <b class=\"fail\">{}</b> fail · <b>{errors}</b> grader errors<br><span class=\"muted\">{}</span></p>",
        esc(exercise),
        rows.len(),
        rows.len() - pass - errors,
        esc(settings)
    );
    verdicts(&mut b, rows);
    scores(&mut b, rows);
    failing_checks(&mut b, rows);
    stress(&mut b, rows);
    table(&mut b, rows);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{CSP}\n<title>{} · class report</title>\n<style>{STYLE}\n{EXTRA_STYLE}</style></head>\n<body>\n{b}</body></html>\n",
        esc(exercise)
    )
}

fn verdict_class(v: &str) -> &'static str {
    match v {
        "pass" => "v-pass",
        GRADER_ERROR => "v-err",
        _ => "v-fail",
    }
}

/// Horizontal bars, one per verdict that occurs, best to worst.
fn verdicts(b: &mut String, rows: &[Row]) {
    let mut order: Vec<&str> = verdict::ALL.iter().map(|v| v.as_str()).collect();
    order.sort_by_key(|s| verdict::Verdict::parse(s));
    order.extend([INVALID, GRADER_ERROR]);
    let counts: Vec<(&str, usize)> = order
        .into_iter()
        .map(|v| (v, rows.iter().filter(|r| r.verdict == v).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let max = counts.iter().map(|c| c.1).max().unwrap_or(1);
    let h = 24 * counts.len() + 8;
    let _ = writeln!(
        b,
        "<section id=\"verdicts\"><h2>Verdicts</h2>\n<svg class=\"chart\" role=\"img\" aria-label=\"verdict counts\" width=\"520\" height=\"{h}\" viewBox=\"0 0 520 {h}\">"
    );
    for (i, (v, n)) in counts.iter().enumerate() {
        let y = 4 + 24 * i;
        let w = 1 + n * 300 / max;
        let _ = writeln!(
            b,
            "<g class=\"bar-verdict\" data-verdict=\"{v}\" data-count=\"{n}\"><text x=\"150\" y=\"{}\" text-anchor=\"end\">{v}</text><rect class=\"{}\" x=\"158\" y=\"{y}\" width=\"{w}\" height=\"18\"></rect><text x=\"{}\" y=\"{}\">{n}</text></g>",
            y + 13,
            verdict_class(v),
            164 + w,
            y + 13
        );
    }
    b.push_str("</svg></section>\n");
}

/// A histogram of score as a share of the maximum: ten 10% bins and one for full marks.
fn scores(b: &mut String, rows: &[Row]) {
    let mut bins = [0usize; 11];
    for r in rows {
        let pct = (r.score * 100).checked_div(r.max_score).unwrap_or(0);
        bins[(pct / 10).min(10) as usize] += 1;
    }
    let max = bins.iter().copied().max().unwrap_or(1).max(1);
    let _ = writeln!(
        b,
        "<section id=\"scores\"><h2>Score distribution</h2>\n<svg class=\"chart\" role=\"img\" aria-label=\"score distribution\" width=\"560\" height=\"190\" viewBox=\"0 0 560 190\">"
    );
    for (i, n) in bins.iter().enumerate() {
        let label = if i == 10 {
            "100%".to_string()
        } else {
            format!("{}–{}%", i * 10, i * 10 + 9)
        };
        let hgt = n * 130 / max;
        let x = 10 + i * 50;
        let _ = writeln!(
            b,
            "<g class=\"bar-score\" data-bin=\"{label}\" data-count=\"{n}\"><rect class=\"bar\" x=\"{x}\" y=\"{}\" width=\"40\" height=\"{hgt}\"></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"182\" text-anchor=\"middle\">{label}</text></g>",
            160 - hgt,
            x + 20,
            155 - hgt,
            x + 20
        );
    }
    b.push_str("</svg></section>\n");
}

fn failing_checks(b: &mut String, rows: &[Row]) {
    let mut counts: Vec<(String, usize)> = check_names(rows)
        .into_iter()
        .map(|name| {
            let n = rows
                .iter()
                .filter(|r| {
                    r.checks
                        .iter()
                        .any(|c| c.name == name && c.verdict != "pass")
                })
                .count();
            (name, n)
        })
        .collect();
    // Most failed first; ties keep the exercise's order (the sort is stable).
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    b.push_str("<section id=\"checks\"><h2>Checks that fail most</h2>\n<table><tr><th>check</th><th>submissions failing it</th></tr>\n");
    for (name, n) in counts {
        let _ = writeln!(
            b,
            "<tr data-check=\"{0}\"><td>{0}</td><td class=\"num\">{n}</td></tr>",
            esc(&name)
        );
    }
    b.push_str("</table></section>\n");
}

fn stress(b: &mut String, rows: &[Row]) {
    b.push_str("<section id=\"stress\"><h2>Found by stress: a single run would have missed these</h2>\n<p class=\"muted\">Earlier stress trials passed before the failure, or runs of the failing schedule did not all fail.</p>\n");
    let found: Vec<_> = rows
        .iter()
        .filter_map(|r| r.stress_note().map(|n| (r, n)))
        .collect();
    if found.is_empty() {
        b.push_str("<p>None.</p>\n");
    } else {
        b.push_str("<ul>\n");
        for (r, n) in found {
            let _ = writeln!(
                b,
                "<li data-name=\"{0}\"><a href=\"{1}/feedback.html\">{0}</a>: {2} · {3} stress trial{6} passed before it failed · it failed in {4} of {5} runs of its schedule</li>",
                esc(&r.name),
                r.dir,
                esc(&r.verdict),
                n.passed_before,
                n.reproduced.0,
                n.reproduced.1,
                if n.passed_before == 1 { "" } else { "s" }
            );
        }
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n");
}

fn table(b: &mut String, rows: &[Row]) {
    let checks = check_names(rows);
    b.push_str("<section id=\"submissions\"><h2>Submissions</h2>\n<table><tr><th>name</th><th>verdict</th><th>score</th>");
    for c in &checks {
        let _ = write!(b, "<th>{}</th>", esc(c));
    }
    b.push_str("<th>feedback</th></tr>\n");
    for r in rows {
        let _ = write!(
            b,
            "<tr class=\"row\" data-name=\"{0}\" data-verdict=\"{1}\"><td><a href=\"{2}/feedback.html\">{0}</a></td><td><span class=\"badge {3}\">{1}</span></td><td class=\"num\">{4}/{5}</td>",
            esc(&r.name),
            esc(&r.verdict),
            r.dir,
            if r.passed() { "pass" } else { "fail" },
            r.score,
            r.max_score
        );
        for name in &checks {
            let cell = match r.checks.iter().find(|c| &c.name == name) {
                Some(c) if c.verdict == "pass" => "<td class=\"pass\">✔</td>".to_string(),
                Some(c) => format!("<td class=\"fail\" title=\"{}\">✘</td>", esc(&c.verdict)),
                None => "<td></td>".to_string(),
            };
            b.push_str(&cell);
        }
        let reason = r
            .reason
            .as_deref()
            .map(|s| format!(" <span class=\"muted\">{}</span>", esc(s)))
            .unwrap_or_default();
        let _ = writeln!(
            b,
            "<td><a href=\"{0}/feedback.html\">html</a> · <a href=\"{0}/feedback.txt\">text</a>{reason}</td></tr>",
            r.dir
        );
    }
    b.push_str("</table></section>\n");
}
