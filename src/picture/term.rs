//! A compact text timeline for the terminal (`grade --verbose`): one row per process, one
//! character per slice of time.

use super::{Span, Timeline};
use crate::i18n::{t, tf, Lang};
use std::collections::BTreeMap;
use std::fmt::Write;

const COLUMNS: usize = 56;

pub fn timeline(tl: &Timeline, lang: Lang) -> String {
    let dur = tl.duration_s.max(1e-6);
    let col = |t: f64| (((t / dur) * COLUMNS as f64) as usize).min(COLUMNS - 1);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tf(
            lang,
            "picture.term_title",
            &[
                ("trial", tl.trial.clone()),
                ("ms", format!("{:.1}", dur * 1000.0)),
            ]
        )
    );
    let paint = |row: &mut [char], span: &Span, c: char| {
        let end = span.to.unwrap_or(dur);
        for slot in row.iter_mut().take(col(end) + 1).skip(col(span.from)) {
            *slot = c;
        }
    };
    let names: BTreeMap<i32, &str> = tl.lanes.iter().map(|l| (l.pid, l.name.as_str())).collect();
    for lane in &tl.lanes {
        let mut row = vec![' '; COLUMNS];
        let end = lane.run.and_then(|r| r.to).unwrap_or(dur);
        paint(
            &mut row,
            &Span {
                from: lane.start,
                to: Some(end),
            },
            '·',
        );
        if let Some(run) = &lane.run {
            paint(&mut row, run, '=');
        }
        for task in &lane.tasks {
            paint(&mut row, &task.span, 'T');
        }
        for h in &lane.holds {
            paint(&mut row, &h.span, '#');
        }
        for w in &lane.waits {
            paint(&mut row, &w.span, '~');
        }
        let mut notes = Vec::new();
        if !lane.holds.is_empty() {
            notes.push(tf(
                lang,
                "picture.term_holds",
                &[("n", lane.holds.len().to_string())],
            ));
        }
        if !lane.tasks.is_empty() {
            let items: u64 = lane.tasks.iter().map(|t| t.items).sum();
            notes.push(tf(
                lang,
                "picture.term_tasks",
                &[
                    ("n", lane.tasks.len().to_string()),
                    ("items", items.to_string()),
                ],
            ));
        }
        if let Some(at) = &lane.stuck_at {
            notes.push(format!("✕ {} {at}", t(lang, "picture.stuck")));
        }
        if lane.left_alive {
            notes.push(t(lang, "picture.alive"));
        }
        let label = format!("{} · {}", lane.name, lane.pid);
        let _ = writeln!(
            out,
            "  {label:<24} [{}]  {}",
            row.into_iter().collect::<String>(),
            notes.join(", ")
        );
    }
    // Messages, counted per channel and direction: arrows do not fit in text.
    let mut flows: BTreeMap<(String, &str, &str), usize> = BTreeMap::new();
    for m in &tl.messages {
        let from = names.get(&m.from_pid).copied().unwrap_or("?");
        let to = names.get(&m.to_pid).copied().unwrap_or("?");
        *flows.entry((m.name.clone(), from, to)).or_default() += 1;
    }
    for ((name, from, to), n) in flows {
        let _ = writeln!(out, "  {name}: {from} → {to} ×{n}");
    }
    let _ = writeln!(out, "  {}", t(lang, "picture.term_legend"));
    if let Some(g) = tl.gate_s {
        let at = format!("{:.1}", g * 1000.0);
        let _ = writeln!(out, "  {}", tf(lang, "picture.term_gate", &[("ms", at)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::{Interval, Lane, Role};

    #[test]
    fn rows_show_running_holding_and_waiting() {
        let lane = |pid, holds: Vec<Interval>, waits: Vec<Interval>| Lane {
            pid,
            ppid: 1,
            name: format!("Process-{pid}"),
            role: Role::Child,
            start: 0.0,
            run: Some(Span {
                from: 0.0,
                to: Some(1.0),
            }),
            holds,
            waits,
            tasks: vec![],
            stuck_at: None,
            left_alive: false,
            partial: false,
            cpu_s: None,
            started_line: None,
            joined_line: None,
            joined_at: None,
        };
        let iv = |from, to| Interval {
            lock: "lock A".into(),
            span: Span { from, to: Some(to) },
            line: None,
        };
        let tl = Timeline {
            trial: "t".into(),
            duration_s: 1.0,
            gate_s: None,
            lanes: vec![
                lane(2, vec![iv(0.5, 0.9)], vec![]),
                lane(3, vec![], vec![iv(0.5, 0.9)]),
            ],
            messages: vec![],
            truncated: false,
        };
        let text = timeline(&tl, Lang::En);
        let rows: Vec<&str> = text.lines().filter(|l| l.contains("Process-")).collect();
        assert!(rows[0].contains("=#"), "{text}");
        assert!(rows[1].contains("=~"), "{text}");
    }
}
