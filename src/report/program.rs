//! A program-mode grade as text (the student's language) or JSON.

use crate::i18n::{t, Lang};
use crate::program::ProgramGrade;
use crate::sandbox::Exit;
use std::fmt::Write;

pub fn json(g: &ProgramGrade) -> String {
    serde_json::to_string_pretty(g).expect("a grade serialises") + "\n"
}

pub fn text(g: &ProgramGrade, lang: Lang) -> String {
    let es = lang == Lang::Es;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  {}  ({} {})",
        g.exercise,
        g.submission.display(),
        if es { "programa" } else { "entry" },
        g.entry
    );
    let title = t(lang, &format!("verdict.{}.title", g.verdict.as_str()));
    let _ = writeln!(
        s,
        "{}: {}  ({})",
        if es { "veredicto" } else { "verdict" },
        g.verdict,
        title
    );
    let tasks: Vec<String> = (g.tasks.iter())
        .map(|(n, p, m)| format!("{} {n}: {p}/{m}", if es { "tarea" } else { "task" }))
        .collect();
    let _ = writeln!(
        s,
        "{}: {}/{}  ({})",
        if es { "puntaje" } else { "score" },
        g.points,
        g.max_points,
        tasks.join(", ")
    );
    let _ = writeln!(s);
    for m in &g.methods {
        for (i, a) in m.attempts.iter().enumerate() {
            let r = &a.run;
            let exit = match &r.exit {
                Exit::Code(c) => format!("exit {c}"),
                Exit::Signal(n) => format!("signal {n}"),
                Exit::Killed if r.hung.is_some() => "hung, killed".into(),
                Exit::Killed => "killed".into(),
            };
            let role = match (i, es) {
                (0, _) => "",
                (_, false) => "  confirmation:",
                (_, true) => "  confirmación:",
            };
            let _ = writeln!(
                s,
                "{role} {:<10} K={:<3} {:>6.1} s  cpu {:>5.2} s ({:.2} {})  {exit}  {} → {}",
                m.method.as_str(),
                r.k,
                r.wall_s,
                r.cpu_s,
                r.cores(),
                if es { "núcleos" } else { "cores" },
                if es { "procesos" } else { "processes" }.to_string()
                    + &format!(" {}", r.processes),
                a.verdict
            );
        }
    }
    let _ = writeln!(s);
    for c in &g.checks {
        let mark = if c.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(
            s,
            "{mark} {:<18} {} {}  {:>2}/{}",
            c.check,
            if es { "tarea" } else { "task" },
            c.task,
            c.points,
            c.max
        );
        if c.findings.is_empty() {
            let _ = writeln!(
                s,
                "       {}",
                if es {
                    "no se llegó a comprobar (falló un paso anterior)"
                } else {
                    "not reached (an earlier step failed)"
                }
            );
        }
        for (m, f) in &c.findings {
            if c.passed && f.status == "pass" && g.verdict == crate::verdict::Verdict::Pass {
                continue; // a passing submission gets a short report
            }
            let words = if es { &f.es } else { &f.en };
            let tag = if g.methods.len() > 1 && !c.passed {
                format!("[{}] ", m.as_str())
            } else {
                String::new()
            };
            let _ = writeln!(s, "       {tag}{words}");
        }
    }
    if g.verdict != crate::verdict::Verdict::Pass {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{}",
            t(lang, &format!("verdict.{}.concept", g.verdict.as_str()))
        );
        let _ = writeln!(
            s,
            "{}",
            t(lang, &format!("verdict.{}.hint", g.verdict.as_str()))
        );
    }
    let _ = writeln!(s, "\n({:.1} s)", g.seconds);
    s
}
