//! `carrera explain <result.json>`: asks a result's verification question again, reads the
//! student's answer, then reveals the answer and why. Only reads the result file.

use crate::error::{Error, IoContext, Result};
use crate::i18n::{t, tf, Lang};
use crate::question::Question;
use std::io::{BufRead, Write};
use std::path::Path;

/// Runs the dialogue on `input`/`out`. Without an answer (end of input, or not a number in
/// range) the answer is revealed all the same.
pub fn explain(path: &Path, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<()> {
    let text = std::fs::read_to_string(path).ctx(|| format!("reading {}", path.display()))?;
    let bad = |m: &str| Error::Usage(format!("{}: {m}", path.display()));
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(&format!("not a carrera result ({e})")))?;
    let lang = match v.get("lang").and_then(|l| l.as_str()) {
        Some("es") => Lang::Es,
        Some("en") => Lang::En,
        _ => return Err(bad("not a carrera result (no `lang`)")),
    };
    let exercise = v.get("exercise").and_then(|e| e.as_str()).unwrap_or("?");
    let verdict = v.get("verdict").and_then(|e| e.as_str()).unwrap_or("?");
    let title = t(lang, &format!("verdict.{verdict}.title"));
    let failure = v.get("failure").filter(|f| !f.is_null());
    let question = failure
        .and_then(|f| f.get("question"))
        .filter(|q| !q.is_null());
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").ctx(|| "writing the answer");
    let Some(q) = question else {
        return w(
            out,
            tf(
                lang,
                "explain.nothing",
                &[("exercise", exercise.into()), ("verdict", title)],
            ),
        );
    };
    let q: Question =
        serde_json::from_value(q.clone()).map_err(|e| bad(&format!("malformed question ({e})")))?;
    if q.answer == 0 || q.answer > q.options.len() {
        return Err(bad("malformed question (answer out of range)"));
    }
    w(out, format!("{exercise} · {title}\n\n{}", q.question))?;
    for (i, o) in q.options.iter().enumerate() {
        w(out, format!("  {}) {o}", i + 1))?;
    }
    write!(
        out,
        "{}",
        tf(
            lang,
            "explain.prompt",
            &[("n", q.options.len().to_string())]
        )
    )
    .and_then(|_| out.flush())
    .ctx(|| "writing the question")?;
    let mut line = String::new();
    let _ = input.read_line(&mut line);
    let args = [
        ("answer", q.answer.to_string()),
        ("option", q.options[q.answer - 1].clone()),
    ];
    let verdict_line = match line.trim().parse::<usize>() {
        Ok(n) if n == q.answer => t(lang, "explain.right"),
        Ok(n) if (1..=q.options.len()).contains(&n) => tf(lang, "explain.wrong", &args),
        _ => format!("\n{}", tf(lang, "explain.answer", &args)),
    };
    w(out, verdict_line)?;
    w(
        out,
        format!("{}: {}", t(lang, "explain.why"), q.explanation),
    )?;
    if let Some(hint) = failure.and_then(|f| f.get("hint")).and_then(|h| h.as_str()) {
        w(out, format!("{}: {hint}", t(lang, "ui.hint")))?;
    }
    Ok(())
}
