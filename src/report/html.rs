//! The HTML exporter: a student's feedback as one self-contained page (no scripts, no
//! fetches), in the student's language. Everything from the submission is escaped.

use super::class::Row;
use super::{Exporter, Text};
use crate::i18n::{t, tf, Lang};
use crate::score::Grade;
use crate::verdict::Verdict;
use std::fmt::Write;

pub struct Html;

/// Forbids every fetch and every script: the page is read offline and names are untrusted.
pub const CSP: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">";

pub const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}
.pass{color:#17692b}.fail{color:#a4161a}.badge{padding:0 .4em;border-radius:.3em;background:#eee}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;white-space:pre-wrap}
.add{background:#e6ffec}.del{background:#ffebe9}.muted{color:#666}
figure{margin:0 0 1.2em}svg{max-width:100%;height:auto;border:1px solid #eee}";

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

pub(crate) fn page(lang: Lang, title: &str, body: &str) -> String {
    let lang = match lang {
        Lang::En => "en",
        Lang::Es => "es",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">{CSP}\n<title>{}</title>\n<style>{STYLE}</style></head>\n<body>\n{body}</body></html>\n",
        esc(title)
    )
}

impl Exporter for Html {
    fn render(&self, g: &Grade) -> String {
        let lang = g.lang;
        let title = t(lang, &format!("verdict.{}.title", g.verdict));
        let class = if g.verdict == Verdict::Pass {
            "pass"
        } else {
            "fail"
        };
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<h1 class=\"{class}\">{} · {}</h1>\n<p><b>{} {}/{}</b> <span class=\"muted\">{} · seed {}</span></p>",
            esc(&g.exercise),
            esc(&title),
            esc(&t(lang, "ui.score")),
            g.score,
            g.max_score,
            esc(&g.submission),
            g.seed
        );
        b.push_str("<table>\n");
        for c in &g.checks {
            let ok = c.verdict == Verdict::Pass;
            let _ = writeln!(
                b,
                "<tr><td class=\"{}\">{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
                if ok { "pass" } else { "fail" },
                if ok { "✔" } else { "✘" },
                esc(&t(lang, &format!("check.{}", c.name))),
                c.score,
                c.max_score,
                esc(&c.message)
            );
        }
        b.push_str("</table>\n");
        if let Some(f) = &g.failure {
            let mut text = String::new();
            Text { color: false }.failure(&mut text, f, &g.submission, lang);
            Text { color: false }.picture(&mut text, g);
            // The explanation and the replay get their own paragraphs; the rest stays
            // preformatted (stacks, diffs).
            let why = format!("{}:", t(lang, "ui.why"));
            let hint = format!("{}:", t(lang, "ui.hint"));
            let replay = t(lang, "ui.replay");
            let what: String = text
                .lines()
                .filter(|l| {
                    !l.starts_with(&why) && !l.starts_with(&hint) && !l.starts_with(&replay)
                })
                .map(|l| format!("{l}\n"))
                .collect();
            let _ = writeln!(b, "<h2>{}</h2>\n<pre>{}</pre>", esc(&f.title), lines(&what));
            let _ = writeln!(
                b,
                "<p><b>{}</b> {}</p>\n<p><b>{}</b> {}</p>",
                esc(&why),
                esc(&f.concept),
                esc(&hint),
                esc(&f.hint)
            );
            if let Some(r) = &f.replay {
                let _ = writeln!(b, "<p>{} <code>{}</code></p>", esc(&replay), esc(r));
            }
            if let Some(q) = &f.question {
                b.push_str(&question(q, lang));
            }
        }
        b.push_str(&pictures(g));
        page(lang, &format!("{} · {}", g.exercise, title), &b)
    }
}

/// The failure's picture (lost update, wait-for graph or wrong results) first, then the
/// timeline of the same trial, each with a caption that says how to read it.
fn pictures(g: &Grade) -> String {
    use crate::picture::svg;
    let (lang, p) = (g.lang, &g.picture);
    let mut b = String::new();
    let mut figure = |title: &str, svg: String, caption: String| {
        let _ = writeln!(
            b,
            "<h2>{}</h2>\n<figure>\n{svg}<figcaption class=\"muted\">{}</figcaption></figure>",
            esc(title),
            esc(&caption)
        );
    };
    if let Some(l) = &p.lost_update {
        let caption = tf(
            lang,
            "picture.lost_update_caption",
            &[("shared", l.shared.clone())],
        );
        figure(
            &t(lang, "picture.lost_update"),
            svg::lost_update(l, lang),
            caption,
        );
    }
    if let Some(w) = &p.wait_for {
        let mut caption = t(lang, "picture.wait_for_caption");
        if w.cycle {
            caption = format!("{caption} {}", t(lang, "picture.wait_for_cycle"));
        }
        figure(
            &t(lang, "picture.wait_for"),
            svg::wait_for(w, lang),
            caption,
        );
    }
    if !p.wrong_results.is_empty() {
        let expected = match g.failure.as_ref().and_then(|f| f.outcome.as_ref()) {
            Some(crate::judge::Outcome::Wrong { expected, .. }) => Some(expected.to_string()),
            _ => None,
        };
        figure(
            &t(lang, "picture.wrong_results"),
            svg::wrong_results(expected.as_deref(), &p.wrong_results, lang),
            t(lang, "picture.wrong_results_caption"),
        );
    }
    if let Some(tl) = &p.timeline {
        let mut caption = tf(
            lang,
            "picture.timeline_caption",
            &[("trial", tl.trial.clone())],
        );
        if let Some(split) = pool_split(tl, lang) {
            caption = format!("{caption} {split}");
        }
        if tl.truncated {
            caption = format!("{caption} {}", t(lang, "picture.truncated"));
        }
        figure(
            &t(lang, "picture.timeline"),
            svg::timeline(tl, lang),
            caption,
        );
    }
    b
}

/// The question, with the answer behind a click (`details`: no script needed).
pub(crate) fn question(q: &crate::question::Question, lang: Lang) -> String {
    let options: String = q
        .options
        .iter()
        .map(|o| format!("<li>{}</li>", esc(o)))
        .collect();
    let answer = tf(
        lang,
        "explain.answer",
        &[
            ("answer", q.answer.to_string()),
            (
                "option",
                q.options.get(q.answer - 1).cloned().unwrap_or_default(),
            ),
        ],
    );
    format!(
        "<h2>{}</h2>\n<p>{}</p>\n<ol>{options}</ol>\n<details><summary>{}</summary><p><b>{}</b> {}</p></details>\n",
        esc(&t(lang, "ui.question")),
        esc(&q.question),
        esc(&t(lang, "explain.why")),
        esc(&answer),
        esc(&q.explanation)
    )
}

/// For Pool exercises, which worker ran how many tasks and items.
fn pool_split(tl: &crate::picture::Timeline, lang: Lang) -> Option<String> {
    let parts: Vec<String> = tl
        .lanes
        .iter()
        .filter(|l| !l.tasks.is_empty())
        .map(|l| {
            let items: u64 = l.tasks.iter().map(|t| t.items).sum();
            tf(
                lang,
                "picture.pool_worker",
                &[
                    ("name", l.name.clone()),
                    ("tasks", l.tasks.len().to_string()),
                    ("items", items.to_string()),
                ],
            )
        })
        .collect();
    (!parts.is_empty()).then(|| tf(lang, "picture.pool_caption", &[("split", parts.join("; "))]))
}

/// Diff lines (`+`/`-` after the indentation) get a background, as in a code review.
fn lines(text: &str) -> String {
    let mut o = String::new();
    for l in text.lines() {
        let tail = l.trim_start();
        let class = if tail.starts_with("+++") || tail.starts_with("---") {
            None
        } else if tail.starts_with('+') {
            Some("add")
        } else if tail.starts_with('-') {
            Some("del")
        } else {
            None
        };
        match class {
            Some(c) => {
                let _ = writeln!(o, "<span class=\"{c}\">{}</span>", esc(l));
            }
            None => {
                let _ = writeln!(o, "{}", esc(l));
            }
        }
    }
    o
}

/// Feedback for a submission carrera could not grade, as HTML and as text.
pub fn ungraded(exercise: &str, row: &Row, lang: Lang) -> (String, String) {
    let reason = row.reason.clone().unwrap_or_default();
    let head = format!(
        "{exercise} · {} · {} {}/{}",
        row.verdict,
        t(lang, "ui.score"),
        row.score,
        row.max_score
    );
    let text = format!("✘ {head}  ({})\n  {reason}\n", row.name);
    let body = format!(
        "<h1 class=\"fail\">{}</h1>\n<p class=\"muted\">{}</p>\n<pre>{}</pre>\n",
        esc(&head),
        esc(&row.name),
        esc(&reason)
    );
    (page(lang, &head, &body), text)
}
