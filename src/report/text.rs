//! The text exporter: short, in the student's language, coloured on a terminal.

use super::Exporter;
use crate::i18n::{t, tf, Lang};
use crate::judge::Outcome;
use crate::score::{FailureReport, Grade};
use crate::verdict::Verdict;
use std::fmt::Write;

pub struct Text {
    pub color: bool,
}

impl Text {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

impl Exporter for Text {
    fn render(&self, g: &Grade) -> String {
        let lang = g.lang;
        let mut out = String::new();
        let title = t(lang, &format!("verdict.{}.title", g.verdict));
        let (code, mark) = if g.verdict == Verdict::Pass {
            ("1;32", "✔")
        } else {
            ("1;31", "✘")
        };
        let _ = writeln!(
            out,
            "{} {}  {}: {}/{}",
            self.paint(code, &format!("{mark} {} · {}", g.exercise, title)),
            self.paint("2", &format!("({})", g.submission)),
            t(lang, "ui.score"),
            g.score,
            g.max_score
        );
        let _ = writeln!(
            out,
            "  {}",
            tf(
                lang,
                "ui.trials",
                &[
                    ("trials", g.trials.to_string()),
                    ("failures", g.failures.to_string()),
                    ("duration", format!("{:.1}", g.duration_s)),
                    ("seed", g.seed.to_string()),
                ]
            )
        );
        let sandbox = serde_json::to_value(g.sandbox).unwrap_or_default();
        let line = tf(
            lang,
            "ui.python",
            &[
                ("python", g.python.clone()),
                ("sandbox", sandbox.as_str().unwrap_or("?").to_string()),
            ],
        );
        let _ = writeln!(out, "  {}", self.paint("2", &line));
        if g.sandbox == crate::sandbox::Tier::Minimal {
            let line = t(lang, "ui.sandbox_minimal");
            let _ = writeln!(out, "  {}", self.paint("33", &line));
        }
        if !g.skipped_methods.is_empty() {
            let methods: Vec<&str> = g.skipped_methods.iter().map(|m| m.as_str()).collect();
            let line = tf(
                lang,
                "ui.skipped_methods",
                &[("methods", methods.join(", "))],
            );
            let _ = writeln!(out, "  {}", self.paint("33", &line));
        }
        for c in &g.checks {
            let ok = c.verdict == Verdict::Pass;
            let mark = if ok {
                self.paint("32", "✔")
            } else {
                self.paint("31", "✘")
            };
            let name = t(lang, &format!("check.{}", c.name));
            let _ = writeln!(
                out,
                "  {mark} {name} [{}/{}]: {}",
                c.score, c.max_score, c.message
            );
        }
        if let Some(f) = &g.failure {
            out.push('\n');
            self.failure(&mut out, f, &g.submission, lang);
            self.picture(&mut out, g);
            if let Some(q) = &f.question {
                self.question(&mut out, q, lang);
            }
        }
        out
    }
}

impl Text {
    /// The failure's picture in words: the steps of a lost update, the edges of a deadlock.
    pub(crate) fn picture(&self, out: &mut String, g: &Grade) {
        let lang = g.lang;
        let line = |n: Option<u32>, code: &Option<String>| match (n, code) {
            (Some(n), Some(c)) => format!(
                "  ({}: {c})",
                tf(lang, "picture.line", &[("line", n.to_string())])
            ),
            (Some(n), None) => format!(
                "  ({})",
                tf(lang, "picture.line", &[("line", n.to_string())])
            ),
            _ => String::new(),
        };
        if let Some(l) = &g.picture.lost_update {
            let _ = writeln!(out, "{}:", self.paint("1", &t(lang, "ui.lost_update")));
            for (i, s) in l.steps.iter().enumerate() {
                let what = s.describe(lang);
                let _ = writeln!(
                    out,
                    "  {}. {} ({}): {what}{}",
                    i + 1,
                    s.process,
                    s.pid,
                    line(s.line, &s.code)
                );
            }
        }
        if let Some(w) = &g.picture.wait_for {
            let name = |pid: i32| {
                let n = w
                    .nodes
                    .iter()
                    .find(|n| n.pid == pid)
                    .map_or("?", |n| n.name.as_str());
                format!("{n} ({pid})")
            };
            let _ = writeln!(out, "{}:", self.paint("1", &t(lang, "picture.wait_for")));
            for e in &w.edges {
                let key = if e.via == "join" {
                    "ui.waits_join"
                } else {
                    "ui.waits_lock"
                };
                let text = tf(
                    lang,
                    key,
                    &[
                        ("from", name(e.from)),
                        ("to", name(e.to)),
                        ("lock", e.via.clone()),
                    ],
                );
                let _ = writeln!(out, "  {text}{}", line(e.line, &None));
            }
            if w.cycle {
                let _ = writeln!(out, "  {}", t(lang, "picture.wait_for_cycle"));
            }
        }
        let Some(tl) = &g.picture.timeline else {
            return;
        };
        let who = |l: &crate::picture::Lane| format!("{} ({})", l.name, l.pid);
        if g.verdict == Verdict::Leak {
            for l in tl.lanes.iter().filter(|l| l.left_alive) {
                let at = l.started_line.map_or("?".into(), |n| n.to_string());
                let args = [("process", who(l)), ("line", at)];
                let _ = writeln!(out, "  {}", tf(lang, "ui.leak_lane", &args));
            }
        }
        if g.verdict == Verdict::NotParallel {
            let mut children: Vec<&crate::picture::Lane> = tl
                .lanes
                .iter()
                .filter(|l| l.role != crate::picture::Role::Main)
                .collect();
            children.sort_by(|a, b| a.start.total_cmp(&b.start));
            for pair in children.windows(2) {
                if let (Some(j), Some(jl)) = (pair[0].joined_at, pair[0].joined_line) {
                    if j <= pair[1].start {
                        let args = [
                            ("a", who(pair[0])),
                            ("b", who(pair[1])),
                            ("line", jl.to_string()),
                        ];
                        let _ = writeln!(out, "  {}", tf(lang, "ui.joined_before_next", &args));
                        break;
                    }
                }
            }
        }
    }

    fn question(&self, out: &mut String, q: &crate::question::Question, lang: Lang) {
        let _ = writeln!(
            out,
            "\n{} {}",
            self.paint("1", &t(lang, "ui.question")),
            q.question
        );
        for (i, o) in q.options.iter().enumerate() {
            let _ = writeln!(out, "  {}) {o}", i + 1);
        }
        let _ = writeln!(out, "{}", self.paint("2", &t(lang, "ui.question_how")));
    }
}

impl Text {
    pub(crate) fn failure(&self, out: &mut String, f: &FailureReport, file: &str, lang: Lang) {
        let head = |k: &str| self.paint("1", &t(lang, k));
        if let (Some(case), Some(call)) = (&f.case, &f.call) {
            let _ = writeln!(
                out,
                "{}",
                tf(
                    lang,
                    "ui.case",
                    &[("case", case.clone()), ("call", call.clone())]
                )
            );
        }
        let _ = writeln!(out, "{}:", head("ui.what_happened"));
        if let Some(d) = &f.detail {
            let _ = writeln!(out, "  {d}");
        }
        if let Some(c) = &f.compile {
            let _ = writeln!(
                out,
                "  {}",
                tf(
                    lang,
                    "ui.compile_at",
                    &[
                        ("file", file.to_string()),
                        ("line", c.line.to_string()),
                        ("column", c.column.to_string()),
                        ("message", c.message.clone()),
                    ]
                )
            );
            if let Some(text) = &c.text {
                let _ = writeln!(out, "    {}", text.trim());
            }
        }
        match &f.outcome {
            Some(Outcome::Wrong { expected, got, .. }) => {
                let _ = writeln!(
                    out,
                    "  {}",
                    tf(
                        lang,
                        "ui.expected_got",
                        &[("expected", expected.to_string()), ("got", got.to_string())]
                    )
                );
                // A diff helps with lists and objects; for a number the line above says it all.
                let compound = expected.is_array() || expected.is_object();
                if let Some(d) = f.diff.as_ref().filter(|_| compound) {
                    for l in d.lines() {
                        let _ = writeln!(out, "    {l}");
                    }
                }
            }
            Some(Outcome::Crash {
                reason,
                detail,
                error,
            }) => {
                let why = tf(
                    lang,
                    &format!("reason.{reason}"),
                    &[("detail", detail.clone())],
                );
                let _ = writeln!(out, "  {why}");
                if let Some(e) = error {
                    let _ = writeln!(out, "  {}: {}", e.kind, e.message);
                    if !e.frames.is_empty() {
                        let _ = writeln!(out, "  {}", t(lang, "ui.traceback"));
                    }
                    for fr in &e.frames {
                        let _ = writeln!(
                            out,
                            "    {}:{} in {}: {}",
                            fr.file,
                            fr.line,
                            fr.function,
                            fr.text.as_deref().unwrap_or("")
                        );
                    }
                }
            }
            Some(Outcome::Hang {
                stuck,
                cpu_fraction,
                ..
            }) => {
                let _ = writeln!(
                    out,
                    "  {}",
                    tf(
                        lang,
                        "ui.cpu",
                        &[("cpu", format!("{:.0}", cpu_fraction * 100.0))]
                    )
                );
                let _ = writeln!(out, "  {}", t(lang, "ui.stuck"));
                for s in stuck {
                    let line = match &s.at {
                        Some(at) => format!(
                            "{}\n        {}",
                            tf(
                                lang,
                                "ui.stuck_line",
                                &[
                                    ("role", s.role.clone()),
                                    ("pid", s.pid.to_string()),
                                    ("waiting", s.waiting_in.clone().unwrap_or_default()),
                                    ("file", at.file.clone()),
                                    ("line", at.line.to_string()),
                                ]
                            ),
                            at.text.as_deref().unwrap_or("")
                        ),
                        None => tf(
                            lang,
                            "ui.stuck_outside",
                            &[("role", s.role.clone()), ("pid", s.pid.to_string())],
                        ),
                    };
                    let _ = writeln!(out, "    {line}");
                }
            }
            Some(Outcome::Leak { procs, .. }) => {
                let list: Vec<String> = procs
                    .iter()
                    .map(|p| format!("{} (pid {})", p.cmdline, p.pid))
                    .collect();
                let _ = writeln!(
                    out,
                    "  {}",
                    tf(lang, "ui.leaked", &[("procs", list.join(", "))])
                );
            }
            Some(Outcome::LimitHit { which }) => {
                let _ = writeln!(out, "  {which}");
            }
            Some(Outcome::Property { en, es, .. }) => {
                let _ = writeln!(out, "  {}", if lang == Lang::Es { es } else { en });
            }
            _ => {}
        }
        if let (Some((k, n)), Some(profile)) = (f.reproduced, &f.profile) {
            let _ = writeln!(
                out,
                "  {}",
                tf(
                    lang,
                    "ui.reproduced",
                    &[
                        ("k", k.to_string()),
                        ("n", n.to_string()),
                        ("profile", profile.clone())
                    ]
                )
            );
        }
        if let Some(n) = f.fork_passed {
            let _ = writeln!(
                out,
                "  {}",
                tf(lang, "ui.fork_passed", &[("n", n.to_string())])
            );
        }
        let _ = writeln!(out, "{}: {}", head("ui.why"), f.concept);
        let _ = writeln!(out, "{}: {}", head("ui.hint"), f.hint);
        if let Some(r) = &f.replay {
            let _ = writeln!(out, "{} {}", t(lang, "ui.replay"), self.paint("2", r));
        }
    }
}
