//! Pictures as inline SVG for the HTML feedback. Every element a test or a reader may look for
//! carries a class: `lane`, `span`, `hold`, `wait`, `task`, `arrow`, `gate`, `stuck`, `alive`,
//! `step`, `node`, `edge`, `bar`. Untrusted text (process names) is escaped.

use super::{Channel, LostUpdate, Role, Timeline, WaitFor};
use crate::i18n::{t, tf, Lang};
use crate::report::html::esc;
use std::fmt::Write;

const WIDTH: f64 = 880.0;
const LABEL: f64 = 190.0;
const ROW: f64 = 34.0;
const TOP: f64 = 34.0;

const STYLE: &str = "<style>
.lane text,.note{font:12px system-ui,sans-serif;fill:#333}.life{stroke:#bbb;stroke-width:1}
.span{fill:#d8e6f3}.span.main{fill:#e3e3e3}.span.pool_worker{fill:#dcefd9}
.hold{fill:#f0a04b}.wait{fill:#d1495b;opacity:.75}.task{fill:#5b8e7d;stroke:#fff;stroke-width:.5}
.arrow{stroke:#3d5a80;stroke-width:1;fill:none;opacity:.8}.arrow.queue{stroke:#7b2cbf}
.gate{stroke:#555;stroke-dasharray:4 3}.stuck{fill:#a4161a;font-weight:bold}.alive{fill:#a4161a}
.axis{stroke:#999}.tick{font:11px system-ui,sans-serif;fill:#666}
.node rect{fill:#fff;stroke:#333}.edge{stroke:#333;stroke-width:1.4;fill:none}.edge.cycle{stroke:#a4161a}
.bar{fill:#d1495b}.bar.expected{fill:#17692b}.step circle{fill:#3d5a80}.step.write circle{fill:#f0a04b}
</style>";

fn open(height: f64, label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\" width=\"{WIDTH}\" height=\"{height:.0}\" viewBox=\"0 0 {WIDTH} {height:.0}\">\n{STYLE}\n<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#3d5a80\"/></marker></defs>\n",
        esc(label)
    )
}

/// A readable tick step (1, 2 or 5 × 10^k) for about eight ticks.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 8.0).max(1e-6);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

pub fn timeline(tl: &Timeline, lang: Lang) -> String {
    let dur = tl.duration_s.max(1e-6);
    let plot = WIDTH - LABEL - 70.0;
    let x = |t: f64| LABEL + (t.clamp(0.0, dur) / dur) * plot;
    let y = |i: usize| TOP + i as f64 * ROW;
    let height = TOP + tl.lanes.len() as f64 * ROW + 30.0;
    let mut s = open(height, &t(lang, "picture.timeline"));
    // Time axis, in milliseconds.
    let step = tick_step(dur);
    let _ = writeln!(
        s,
        "<line class=\"axis\" x1=\"{LABEL}\" y1=\"{}\" x2=\"{:.1}\" y2=\"{}\"/>",
        TOP - 12.0,
        x(dur),
        TOP - 12.0
    );
    let mut k = 0.0;
    while k <= dur + 1e-9 {
        let _ = writeln!(
            s,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{} ms</text>",
            x(k),
            TOP - 16.0,
            fmt_ms(k * 1000.0)
        );
        k += step;
    }
    for (i, lane) in tl.lanes.iter().enumerate() {
        let mid = y(i) + ROW / 2.0;
        let role = match lane.role {
            Role::Main => "main",
            Role::Child => "child",
            Role::PoolWorker => "pool_worker",
        };
        let _ = writeln!(
            s,
            "<g class=\"lane\" data-pid=\"{}\" data-role=\"{role}\">",
            lane.pid
        );
        let _ = writeln!(
            s,
            "<text x=\"6\" y=\"{:.1}\">{} · {}</text>",
            mid + 4.0,
            esc(&short(&lane.name, 18)),
            lane.pid
        );
        let end = lane.run.and_then(|r| r.to).unwrap_or(dur);
        let _ = writeln!(
            s,
            "<line class=\"life\" x1=\"{:.1}\" y1=\"{mid:.1}\" x2=\"{:.1}\" y2=\"{mid:.1}\"/>",
            x(lane.start),
            x(end)
        );
        if let Some(run) = lane.run {
            rect(
                &mut s,
                &format!("span {role}"),
                x(run.from),
                x(run.to.unwrap_or(dur)),
                mid - 8.0,
                16.0,
                &t(lang, "picture.running"),
            );
        }
        for task in &lane.tasks {
            let title = tf(
                lang,
                "picture.task",
                &[("id", task.id.clone()), ("n", task.items.to_string())],
            );
            let (a, b) = (x(task.span.from), x(task.span.to.unwrap_or(dur)));
            rect(&mut s, "task", a, b, mid - 8.0, 16.0, &title);
            if b - a > 34.0 {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#fff\" font-size=\"10\">{}×{}</text>",
                    a + 2.0,
                    mid + 3.5,
                    esc(&task.id),
                    task.items
                );
            }
        }
        for h in &lane.holds {
            let title = with_line(
                lang,
                &tf(lang, "picture.holds", &[("lock", h.lock.clone())]),
                h.line,
            );
            rect(
                &mut s,
                "hold",
                x(h.span.from),
                x(h.span.to.unwrap_or(dur)),
                mid - 8.0,
                16.0,
                &title,
            );
        }
        for w in &lane.waits {
            let title = with_line(
                lang,
                &tf(lang, "picture.waits", &[("lock", w.lock.clone())]),
                w.line,
            );
            rect(
                &mut s,
                "wait",
                x(w.span.from),
                x(w.span.to.unwrap_or(dur)),
                mid + 8.0,
                5.0,
                &title,
            );
        }
        let mut note_x = x(end) + 4.0;
        if let Some(at) = &lane.stuck_at {
            let _ = writeln!(
                s,
                "<text class=\"stuck\" x=\"{:.1}\" y=\"{:.1}\"><title>{}</title>✕ {}</text>",
                note_x.min(WIDTH - 64.0),
                mid + 4.0,
                esc(at),
                esc(&t(lang, "picture.stuck"))
            );
            note_x += 48.0;
        }
        if lane.left_alive {
            let _ = writeln!(
                s,
                "<text class=\"alive\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                note_x.min(WIDTH - 64.0),
                mid + 4.0,
                esc(&t(lang, "picture.alive"))
            );
        }
        s.push_str("</g>\n");
    }
    let row_of = |pid: i32| tl.lanes.iter().position(|l| l.pid == pid);
    for m in &tl.messages {
        let (Some(a), Some(b)) = (row_of(m.from_pid), row_of(m.to_pid)) else {
            continue;
        };
        let class = match m.channel {
            Channel::Pipe => "arrow pipe",
            Channel::Queue => "arrow queue",
        };
        let _ = writeln!(
            s,
            "<line class=\"{class}\" data-from=\"{}\" data-to=\"{}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" marker-end=\"url(#arrowhead)\"><title>{}</title></line>",
            m.from_pid,
            m.to_pid,
            x(m.sent),
            y(a) + ROW / 2.0,
            x(m.received),
            y(b) + ROW / 2.0,
            esc(&m.name)
        );
    }
    if let Some(g) = tl.gate_s {
        let _ = writeln!(s, "<line class=\"gate\" x1=\"{0:.1}\" y1=\"{1}\" x2=\"{0:.1}\" y2=\"{2:.1}\"/><text class=\"tick\" x=\"{3:.1}\" y=\"{4:.1}\">{5}</text>", x(g), TOP - 8.0, height - 24.0, x(g) + 3.0, height - 12.0, esc(&t(lang, "picture.gate")));
    }
    s.push_str("</svg>\n");
    s
}

fn rect(s: &mut String, class: &str, a: f64, b: f64, top: f64, h: f64, title: &str) {
    let _ = writeln!(
        s,
        "<rect class=\"{class}\" x=\"{a:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{h}\"><title>{}</title></rect>",
        (b - a).max(1.5),
        esc(title)
    );
}

fn with_line(lang: Lang, text: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!(
            "{text} ({})",
            tf(lang, "picture.line", &[("line", l.to_string())])
        ),
        None => text.to_string(),
    }
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 100.0 || ms == 0.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.1}")
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// Four steps in order: A reads, B reads the same value, A writes, B writes over it.
pub fn lost_update(l: &LostUpdate, lang: Lang) -> String {
    let height = 150.0;
    let mut s = open(height, &t(lang, "picture.lost_update"));
    let pids: Vec<i32> = {
        let mut v: Vec<i32> = l.steps.iter().map(|s| s.pid).collect();
        v.dedup();
        v.truncate(2);
        v
    };
    let y = |pid: i32| {
        if Some(&pid) == pids.first() {
            45.0
        } else {
            110.0
        }
    };
    for (pid, step) in pids.iter().zip(&l.steps) {
        let _ = writeln!(s, "<g class=\"lane\" data-pid=\"{pid}\"><text x=\"6\" y=\"{:.0}\">{} · {pid}</text><line class=\"life\" x1=\"{LABEL}\" y1=\"{1:.0}\" x2=\"{2}\" y2=\"{1:.0}\"/></g>", y(*pid) + 4.0, esc(&short(&step.process, 18)), WIDTH - 20.0);
    }
    let mut prev: Option<(f64, f64)> = None;
    for (i, step) in l.steps.iter().enumerate() {
        let cx = LABEL + 60.0 + i as f64 * 160.0;
        let cy = y(step.pid);
        let what = step.describe(lang);
        let class = if step.write { "step write" } else { "step" };
        let _ = writeln!(s, "<g class=\"{class}\" data-pid=\"{}\"><circle cx=\"{cx:.0}\" cy=\"{cy:.0}\" r=\"7\"/><text class=\"note\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}. {}</text><text class=\"tick\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text></g>", step.pid, cx, cy - 14.0, i + 1, esc(&what), cx, cy + 22.0, esc(&step.line.map(|l| tf(lang, "picture.line", &[("line", l.to_string())])).unwrap_or_default()));
        if let Some((px, py)) = prev {
            let _ = writeln!(s, "<line class=\"arrow\" x1=\"{:.0}\" y1=\"{py:.0}\" x2=\"{:.0}\" y2=\"{cy:.0}\" marker-end=\"url(#arrowhead)\"/>", px + 9.0, cx - 9.0);
        }
        prev = Some((cx, cy));
    }
    s.push_str("</svg>\n");
    s
}

/// Processes as boxes on a circle; an edge from each waiter to whoever it waits for.
pub fn wait_for(g: &WaitFor, lang: Lang) -> String {
    let n = g.nodes.len().max(1) as f64;
    let height = if g.nodes.len() <= 2 { 190.0 } else { 340.0 };
    let (cx, cy) = (WIDTH / 2.0, height / 2.0);
    let (rx, ry) = (WIDTH / 2.0 - 150.0, height / 2.0 - 48.0);
    let pos = |i: usize| {
        let a = std::f64::consts::PI + i as f64 * 2.0 * std::f64::consts::PI / n;
        (cx + rx * a.cos(), cy + ry * a.sin())
    };
    let mut s = open(height, &t(lang, "picture.wait_for"));
    let at = |pid: i32| g.nodes.iter().position(|n| n.pid == pid).map(pos);
    for e in &g.edges {
        let (Some((x1, y1)), Some((x2, y2))) = (at(e.from), at(e.to)) else {
            continue;
        };
        // Each edge bends to its own left, so the two edges of a pair do not overlap; it
        // starts and ends at the boxes' borders.
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (mx, my) = (
            (x1 + x2) / 2.0 - dy / len * 45.0,
            (y1 + y2) / 2.0 + dx / len * 45.0,
        );
        let (x1, y1) = border(x1, y1, mx, my);
        let (x2, y2) = border(x2, y2, mx, my);
        let class = if g.cycle { "edge cycle" } else { "edge" };
        let what = if e.via == "join" {
            t(lang, "picture.waits_join")
        } else {
            tf(lang, "picture.waits", &[("lock", e.via.clone())])
        };
        let label = with_line(lang, &what, e.line);
        // The label sits beside the curve's midpoint, on the side it bends to.
        let (lx, ly) = (
            0.25 * x1 + 0.5 * mx + 0.25 * x2,
            0.25 * y1 + 0.5 * my + 0.25 * y2,
        );
        let (anchor, lx) = if mx >= (x1 + x2) / 2.0 {
            ("start", lx + 6.0)
        } else {
            ("end", lx - 6.0)
        };
        let _ = writeln!(s, "<g class=\"{class}\" data-from=\"{}\" data-to=\"{}\"><path class=\"{class}\" d=\"M{x1:.0},{y1:.0} Q{mx:.0},{my:.0} {x2:.0},{y2:.0}\" marker-end=\"url(#arrowhead)\"/><text class=\"note\" x=\"{lx:.0}\" y=\"{:.0}\" text-anchor=\"{anchor}\">{}</text></g>", e.from, e.to, ly + 4.0, esc(&label));
    }
    for (i, node) in g.nodes.iter().enumerate() {
        let (x, y) = pos(i);
        let mut lines = vec![format!("{} · {}", short(&node.name, 20), node.pid)];
        if !node.holds.is_empty() {
            lines.push(tf(
                lang,
                "picture.holds",
                &[("lock", node.holds.join(", "))],
            ));
        }
        if let Some(at) = &node.stuck_at {
            lines.push(format!("✕ {}", short(at, 40)));
        }
        let h = 8.0 + 15.0 * lines.len() as f64;
        let _ = writeln!(s, "<g class=\"node\" data-pid=\"{}\"><rect x=\"{:.0}\" y=\"{:.0}\" width=\"{NODE_W}\" height=\"{h:.0}\" rx=\"5\"/>", node.pid, x - NODE_W / 2.0, y - h / 2.0);
        for (k, line) in lines.iter().enumerate() {
            let _ = writeln!(
                s,
                "<text class=\"note\" x=\"{:.0}\" y=\"{:.0}\">{}</text>",
                x - NODE_W / 2.0 + 8.0,
                y - h / 2.0 + 17.0 + 15.0 * k as f64,
                esc(line)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}

const NODE_W: f64 = 270.0;

/// Where the line from a node's centre towards (tx, ty) leaves its box.
fn border(cx: f64, cy: f64, tx: f64, ty: f64) -> (f64, f64) {
    let (dx, dy) = (tx - cx, ty - cy);
    let k = (NODE_W / 2.0 / dx.abs().max(1e-9))
        .min(34.0 / dy.abs().max(1e-9))
        .min(1.0);
    (cx + dx * k, cy + dy * k)
}

/// How often each wrong result came out, beside the expected one.
pub fn wrong_results(expected: Option<&str>, counts: &[(String, usize)], lang: Lang) -> String {
    let max = counts.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1) as f64;
    let rows = counts.len() + usize::from(expected.is_some());
    let height = 20.0 + rows as f64 * 24.0;
    let mut s = open(height, &t(lang, "picture.wrong_results"));
    let mut y = 12.0;
    if let Some(e) = expected {
        let _ = writeln!(s, "<g class=\"bar-row\"><text class=\"note\" x=\"6\" y=\"{:.0}\">{}</text><text class=\"note\" x=\"{LABEL}\" y=\"{0:.0}\">{}</text></g>", y + 12.0, esc(&short(e, 24)), esc(&t(lang, "picture.expected")));
        y += 24.0;
    }
    for (value, count) in counts {
        let w = (WIDTH - LABEL - 120.0) * (*count as f64) / max;
        let _ = writeln!(s, "<g class=\"bar-row\"><text class=\"note\" x=\"6\" y=\"{:.0}\">{}</text><rect class=\"bar\" x=\"{LABEL}\" y=\"{y:.0}\" width=\"{w:.1}\" height=\"16\"/><text class=\"note\" x=\"{:.0}\" y=\"{0:.0}\">{}</text></g>", y + 12.0, esc(&short(value, 24)), LABEL + w + 6.0, esc(&tf(lang, "picture.trials", &[("n", count.to_string())])));
        y += 24.0;
    }
    s.push_str("</svg>\n");
    s
}
