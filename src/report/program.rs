//! A program-mode grade as text, JSON or one HTML page, in the grade's language.

use super::html::{esc, page, question};
use crate::i18n::{t, Lang};
use crate::program::{CheckScore, ProgramGrade};
use crate::sandbox::Exit;
use crate::verdict::Verdict;
use std::fmt::Write;

pub fn json(g: &ProgramGrade) -> String {
    serde_json::to_string_pretty(g).expect("a grade serialises") + "\n"
}

/// Words that differ between the two languages of these reports.
fn w(lang: Lang, en: &'static str, es: &'static str) -> &'static str {
    if lang == Lang::Es {
        es
    } else {
        en
    }
}

/// One line per run: method, clock, wall and CPU time, how it ended, what it earned.
fn runs(g: &ProgramGrade) -> Vec<String> {
    let lang = g.lang;
    let mut out = Vec::new();
    for m in &g.methods {
        for (i, a) in m.attempts.iter().enumerate() {
            let r = &a.run;
            let exit = match &r.exit {
                Exit::Code(c) => format!("exit {c}"),
                Exit::Signal(n) => format!("signal {n}"),
                Exit::Killed if r.hung.is_some() => {
                    w(lang, "hung, killed", "colgado, terminado").into()
                }
                Exit::Killed => w(lang, "killed", "terminado").into(),
            };
            let role = match i {
                0 => "",
                _ => w(lang, "confirmation: ", "confirmación: "),
            };
            out.push(format!(
                "{role}{} K={}  {:.1} s  cpu {:.2} s ({:.2} {})  {exit}  {} {}  → {}",
                m.method.as_str(),
                r.k,
                r.wall_s,
                r.cpu_s,
                r.cores(),
                w(lang, "cores", "núcleos"),
                r.processes,
                w(lang, "processes", "procesos"),
                a.verdict
            ));
        }
    }
    out
}

/// What a check's findings say, each once, tagged with its method when methods disagree.
fn said(g: &ProgramGrade, c: &CheckScore) -> Vec<String> {
    let lang = g.lang;
    if c.findings.is_empty() {
        return vec![w(
            lang,
            "not reached (an earlier step failed)",
            "no se llegó a comprobar (falló un paso anterior)",
        )
        .into()];
    }
    let short = g.verdict == Verdict::Pass;
    if c.passed && !short {
        let first = c
            .findings
            .first()
            .map(|(_, f)| if lang == Lang::Es { &f.es } else { &f.en });
        return first.into_iter().cloned().collect();
    }
    (c.findings.iter())
        .filter(|(_, f)| c.passed || f.failed())
        // A passing report stays short, but names the hash formula that matched (the
        // teacher judges an unusual one) and keeps notes.
        .filter(|(_, f)| !(short && f.status == "pass" && c.check != "hash_formula"))
        .map(|(m, f)| {
            let words = if lang == Lang::Es { &f.es } else { &f.en };
            match g.methods.len() > 1 && !c.passed {
                true => format!("[{}] {words}", m.as_str()),
                false => words.clone(),
            }
        })
        .collect()
}

fn tasks(g: &ProgramGrade) -> String {
    (g.tasks.iter())
        .map(|(n, p, m)| format!("{} {n}: {p}/{m}", w(g.lang, "task", "tarea")))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn text(g: &ProgramGrade) -> String {
    let lang = g.lang;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  {}  ({} {})",
        g.exercise,
        g.submission.display(),
        w(lang, "entry", "programa"),
        g.entry
    );
    let title = t(lang, &format!("verdict.{}.title", g.verdict.as_str()));
    let _ = writeln!(
        s,
        "{}: {}  ({title})",
        w(lang, "verdict", "veredicto"),
        g.verdict
    );
    let _ = writeln!(
        s,
        "{}: {}/{}  ({})\n",
        w(lang, "score", "puntaje"),
        g.points,
        g.max_points,
        tasks(g)
    );
    for r in runs(g) {
        let _ = writeln!(s, "  {r}");
    }
    let _ = writeln!(s);
    for c in &g.checks {
        let mark = if c.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(
            s,
            "{mark} {:<18} {} {}  {:>2}/{}",
            c.check,
            w(lang, "task", "tarea"),
            c.task,
            c.points,
            c.max
        );
        for line in said(g, c) {
            let _ = writeln!(s, "       {line}");
        }
    }
    if let Some(f) = &g.failure {
        let _ = writeln!(s, "\n{}\n{}", f.concept, f.hint);
    }
    if let Some(q) = g.failure.as_ref().and_then(|f| f.question.as_ref()) {
        let _ = writeln!(s, "\n{} {}", t(lang, "ui.question"), q.question);
        for (i, o) in q.options.iter().enumerate() {
            let _ = writeln!(s, "  {}) {o}", i + 1);
        }
        let _ = writeln!(s, "{}", t(lang, "ui.question_how"));
    }
    let _ = writeln!(s, "\n({:.1} s)", g.seconds);
    s
}

pub fn html(g: &ProgramGrade) -> String {
    let lang = g.lang;
    let title = t(lang, &format!("verdict.{}.title", g.verdict.as_str()));
    let class = if g.verdict == Verdict::Pass {
        "pass"
    } else {
        "fail"
    };
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1 class=\"{class}\">{} · {}</h1>\n<p><b>{} {}/{}</b> ({}) <span class=\"muted\">{} · {}</span></p>",
        esc(&g.exercise),
        esc(&title),
        esc(&t(lang, "ui.score")),
        g.points,
        g.max_points,
        esc(&tasks(g)),
        esc(&g.submission.display().to_string()),
        esc(&g.entry)
    );
    if let Some(f) = &g.failure {
        let _ = writeln!(b, "<p>{}</p>\n<p>{}</p>", esc(&f.concept), esc(&f.hint));
    }
    let _ = writeln!(
        b,
        "<h2>{}</h2>\n<pre>{}</pre>",
        w(lang, "Runs", "Ejecuciones"),
        esc(&runs(g).join("\n"))
    );
    b.push_str("<table>\n");
    for c in &g.checks {
        let (cls, mark) = if c.passed {
            ("pass", "✔")
        } else {
            ("fail", "✘")
        };
        let lines: Vec<String> = said(g, c).iter().map(|l| esc(l)).collect();
        let _ = writeln!(
            b,
            "<tr><td class=\"{cls}\">{mark}</td><td>{}</td><td>{} {}</td><td>{}/{}</td><td>{}</td></tr>",
            esc(&c.check),
            w(lang, "task", "tarea"),
            c.task,
            c.points,
            c.max,
            lines.join("<br>")
        );
    }
    b.push_str("</table>\n");
    if let Some(q) = g.failure.as_ref().and_then(|f| f.question.as_ref()) {
        b.push_str(&question(q, lang));
    }
    page(lang, &format!("{} · {}", g.exercise, title), &b)
}

/// Gradescope's `results.json`: one test per check, its findings as the output.
pub fn gradescope(g: &ProgramGrade) -> String {
    let lang = g.lang;
    let tests: Vec<serde_json::Value> = (g.checks.iter().enumerate())
        .map(|(i, c)| {
            serde_json::json!({
                "name": format!("{} {} · {}", w(lang, "task", "tarea"), c.task, c.check),
                "number": (i + 1).to_string(),
                "score": c.points,
                "max_score": c.max,
                "status": if c.passed { "passed" } else { "failed" },
                "output": said(g, c).join("\n"),
                "output_format": "text",
                "visibility": "visible",
            })
        })
        .collect();
    let v = serde_json::json!({
        "score": g.points,
        "execution_time": g.seconds.ceil() as u64,
        "output": text(g),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"verdict": g.verdict, "carrera_version": env!("CARGO_PKG_VERSION")},
    });
    serde_json::to_string_pretty(&v).expect("JSON values serialise") + "\n"
}
