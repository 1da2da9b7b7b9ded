//! Traces → `Timeline`: lanes, lock holds and waits, Pool tasks, and message arrows paired in
//! order (the k-th `put` on a queue with its k-th `get`; the k-th `send` at one end of a pipe
//! with the k-th `recv` at the other).

use super::{Channel, Interval, Lane, Message, Names, Role, Span, Task, Timeline, MAX_MESSAGES};
use crate::observe::TraceSummary;
use std::collections::{BTreeMap, BTreeSet};

/// One trace event: `[t, kind, key]` or `[t, kind, key, {extra}]`.
#[derive(Debug, Clone)]
pub(crate) struct Event<'a> {
    pub pid: i32,
    pub t: f64,
    pub kind: &'a str,
    pub key: &'a str,
    pub extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl<'a> Event<'a> {
    pub fn line(&self) -> Option<u32> {
        let l = self.extra?.get("line")?.as_u64()?;
        u32::try_from(l).ok()
    }

    pub fn int(&self, field: &str) -> Option<i64> {
        self.extra?.get(field)?.as_i64()
    }

    pub fn value(&self) -> Option<&'a serde_json::Value> {
        self.extra?.get("v")
    }
}

/// A process's well-formed events, in time order; malformed ones are skipped.
pub(crate) fn events(trace: &TraceSummary) -> Vec<Event<'_>> {
    let mut out: Vec<Event> = trace
        .events
        .iter()
        .filter_map(|e| {
            let a = e.as_array()?;
            Some(Event {
                pid: trace.pid,
                t: a.first()?.as_f64().filter(|t| t.is_finite())?,
                kind: a.get(1)?.as_str()?,
                key: a.get(2)?.as_str()?,
                extra: a.get(3).and_then(|x| x.as_object()),
            })
        })
        .collect();
    out.sort_by(|a, b| a.t.total_cmp(&b.t));
    out
}

/// Lock keys worth drawing. When events carry student lines, a lock none of whose events came
/// from the student's code is a queue's or a pool's own (their internal locks are SemLocks
/// too), and a lock keyed like a queue is that queue's read lock.
fn student_locks(all: &[Event]) -> BTreeSet<String> {
    let lines_known = all.iter().any(|e| e.line().is_some());
    let queues: BTreeSet<&str> = all
        .iter()
        .filter(|e| e.kind.starts_with("queue_"))
        .map(|e| e.key)
        .collect();
    all.iter()
        .filter(|e| e.kind.starts_with("lock_"))
        .filter(|e| !queues.contains(e.key))
        .filter(|e| !lines_known || e.line().is_some())
        .map(|e| e.key.to_string())
        .collect()
}

/// `trial` says which trial this is; `stuck` maps pids to where they were stuck; `alive` are
/// the pids left running. Returns `None` when there is nothing to draw.
pub fn timeline(
    trial: String,
    traces: &[TraceSummary],
    stuck: &BTreeMap<i32, String>,
    alive: &BTreeSet<i32>,
    gate: bool,
) -> Option<Timeline> {
    let mut traces: Vec<&TraceSummary> = traces.iter().collect();
    traces.sort_by_key(|t| (t.role != "main", t.t_start.map(|s| (s * 1e6) as i64), t.pid));
    let per_pid: Vec<(&TraceSummary, Vec<Event>)> =
        traces.iter().map(|t| (*t, events(t))).collect();
    let all: Vec<Event> = per_pid
        .iter()
        .flat_map(|(_, e)| e.iter().cloned())
        .collect();
    let starts = traces.iter().filter_map(|t| t.t_start.or(t.t_run_start));
    let t0 = starts.clone().fold(f64::INFINITY, f64::min);
    if !t0.is_finite() {
        return None;
    }
    let rel = |t: f64| t - t0;
    let locks = student_locks(&all);
    // Locks are named in the order they were first used, whichever process used them.
    let mut lock_names = Names::default();
    let mut by_time: Vec<&Event> = all.iter().filter(|e| locks.contains(e.key)).collect();
    by_time.sort_by(|a, b| a.t.total_cmp(&b.t));
    for e in by_time {
        lock_names.letter("lock", e.key);
    }
    let mut lanes = Vec::new();
    for (tr, evs) in &per_pid {
        let role = if tr.role == "main" {
            Role::Main
        } else if tr.name.contains("PoolWorker") {
            Role::PoolWorker
        } else {
            Role::Child
        };
        let (holds, waits) = lock_intervals(evs, &locks, &mut lock_names, rel);
        lanes.push(Lane {
            pid: tr.pid,
            ppid: tr.ppid,
            name: tr.name.clone(),
            role,
            start: rel(tr.t_start.or(tr.t_run_start).unwrap_or(t0)),
            run: tr.t_run_start.map(|s| Span {
                from: rel(s),
                to: tr.t_run_end.map(rel),
            }),
            holds,
            waits,
            tasks: tasks(evs, rel),
            stuck_at: stuck.get(&tr.pid).cloned(),
            left_alive: alive.contains(&tr.pid),
            partial: tr.partial,
            cpu_s: tr.cpu_s,
            started_line: None,
            joined_line: None,
            joined_at: None,
        });
    }
    // Processes seen alive or stuck but without a trace (killed before writing one): their
    // parent's `proc_start` says when they started and their name.
    let known: BTreeSet<i32> = lanes.iter().map(|l| l.pid).collect();
    for pid in alive.iter().chain(stuck.keys()).collect::<BTreeSet<_>>() {
        if known.contains(pid) {
            continue;
        }
        let started = all
            .iter()
            .find(|e| e.kind == "proc_start" && e.key.parse() == Ok(*pid));
        let name = started
            .and_then(|e| e.extra?.get("name")?.as_str())
            .unwrap_or("?");
        lanes.push(Lane {
            pid: *pid,
            ppid: started.map_or(0, |e| e.pid),
            name: name.to_string(),
            role: Role::Child,
            start: started.map_or(0.0, |e| rel(e.t)),
            run: None,
            holds: vec![],
            waits: vec![],
            tasks: vec![],
            stuck_at: stuck.get(pid).cloned(),
            left_alive: alive.contains(pid),
            partial: false,
            cpu_s: None,
            started_line: None,
            joined_line: None,
            joined_at: None,
        });
    }
    for lane in &mut lanes {
        let about = |kind: &str| {
            all.iter()
                .find(|e| e.kind == kind && e.key.parse() == Ok(lane.pid))
        };
        lane.started_line = about("proc_start").and_then(|e| e.line());
        if let Some(j) = about("proc_join") {
            lane.joined_line = j.line();
            lane.joined_at = Some(rel(j.t));
        }
    }
    let messages = messages(&all, rel);
    let end = traces
        .iter()
        .flat_map(|t| [t.t_start, t.t_run_start, t.t_run_end])
        .flatten()
        .chain(all.iter().map(|e| e.t))
        .fold(t0, f64::max);
    let gate_s = gate
        .then(|| {
            lanes
                .iter()
                .filter(|l| l.role != Role::Main)
                .filter_map(|l| l.run.map(|r| r.from))
                .fold(f64::INFINITY, f64::min)
        })
        .filter(|g| g.is_finite());
    Some(Timeline {
        trial,
        duration_s: rel(end),
        gate_s,
        lanes,
        messages,
        truncated: traces.iter().any(|t| t.events_dropped > 0),
    })
}

/// Holds (acquire → release) and waits (wait → acquire, or → a timed acquire that gave up)
/// per lock; reentrant holds nest. Still open at the end: held or awaited until the trace
/// was written (a deadlock).
fn lock_intervals(
    evs: &[Event],
    locks: &BTreeSet<String>,
    names: &mut Names,
    rel: impl Fn(f64) -> f64,
) -> (Vec<Interval>, Vec<Interval>) {
    let mut holds = Vec::new();
    let mut waits = Vec::new();
    let mut interval = |key: &str, from: f64, to: Option<f64>, line: Option<u32>| Interval {
        lock: names.letter("lock", key),
        span: Span {
            from: rel(from),
            to: to.map(&rel),
        },
        line,
    };
    // key → (depth, start, line) of the open hold; key → (start, line) of the open wait
    let mut open: BTreeMap<&str, (u32, f64, Option<u32>)> = BTreeMap::new();
    let mut waiting: BTreeMap<&str, (f64, Option<u32>)> = BTreeMap::new();
    for e in evs.iter().filter(|e| locks.contains(e.key)) {
        match e.kind {
            "lock_wait" => {
                waiting.insert(e.key, (e.t, e.line()));
            }
            "lock_acquire" | "lock_timeout" => {
                if let Some((from, line)) = waiting.remove(e.key) {
                    waits.push(interval(e.key, from, Some(e.t), line));
                }
                if e.kind == "lock_acquire" {
                    open.entry(e.key).or_insert((0, e.t, e.line())).0 += 1;
                }
            }
            "lock_release" => {
                if let Some(h) = open.get_mut(e.key) {
                    h.0 -= 1;
                    if h.0 == 0 {
                        let (_, from, line) = open.remove(e.key).unwrap_or_default();
                        holds.push(interval(e.key, from, Some(e.t), line));
                    }
                }
            }
            _ => {}
        }
    }
    holds.extend(
        open.into_iter()
            .map(|(k, (_, from, line))| interval(k, from, None, line)),
    );
    waits.extend(
        waiting
            .into_iter()
            .map(|(k, (from, line))| interval(k, from, None, line)),
    );
    (holds, waits)
}

fn tasks(evs: &[Event], rel: impl Fn(f64) -> f64) -> Vec<Task> {
    let mut open: BTreeMap<&str, f64> = BTreeMap::new();
    let mut out = Vec::new();
    for e in evs {
        match e.kind {
            "pool_task_start" => {
                open.insert(e.key, e.t);
            }
            "pool_task_end" => {
                if let Some(from) = open.remove(e.key) {
                    out.push(Task {
                        id: e.key.to_string(),
                        items: e.int("n").unwrap_or(1).max(0) as u64,
                        span: Span {
                            from: rel(from),
                            to: Some(rel(e.t)),
                        },
                    });
                }
            }
            _ => {}
        }
    }
    for (id, from) in open {
        out.push(Task {
            id: id.to_string(),
            items: 1,
            span: Span {
                from: rel(from),
                to: None,
            },
        });
    }
    out
}

/// Pairs senders with receivers in order, per queue and per pipe direction. Connections
/// without a pipe identity (re-made in a spawned child) are not drawn.
fn messages(all: &[Event], rel: impl Fn(f64) -> f64) -> Vec<Message> {
    let mut sorted: Vec<&Event> = all.iter().collect();
    sorted.sort_by(|a, b| a.t.total_cmp(&b.t));
    // (channel, key, direction) → (sends, receives)
    type Ends<'e> = (Vec<&'e Event<'e>>, Vec<&'e Event<'e>>);
    let mut flows: BTreeMap<(u8, &str, i64), Ends> = BTreeMap::new();
    for e in &sorted {
        let end = e.int("end");
        match (e.kind, end) {
            ("queue_put", _) => flows.entry((1, e.key, 0)).or_default().0.push(e),
            ("queue_get", _) => flows.entry((1, e.key, 0)).or_default().1.push(e),
            ("send", Some(end)) if e.key.starts_with("pipe:") => {
                flows.entry((0, e.key, end)).or_default().0.push(e)
            }
            ("recv", Some(end)) if e.key.starts_with("pipe:") => {
                // What arrives at end 1 was sent from end 0, and the other way round.
                flows.entry((0, e.key, 1 - end)).or_default().1.push(e)
            }
            _ => {}
        }
    }
    let mut names = Names::default();
    let mut out = Vec::new();
    for ((channel, key, _), (sends, recvs)) in &flows {
        let (channel, name) = if *channel == 0 {
            (Channel::Pipe, names.number("pipe", key))
        } else {
            (Channel::Queue, names.number("queue", &format!("q{key}")))
        };
        for (s, r) in sends.iter().zip(recvs.iter()) {
            if s.pid != r.pid && out.len() < MAX_MESSAGES {
                out.push(Message {
                    channel,
                    name: name.clone(),
                    from_pid: s.pid,
                    to_pid: r.pid,
                    sent: rel(s.t),
                    received: rel(r.t).max(rel(s.t)),
                });
            }
        }
    }
    out.sort_by(|a, b| a.sent.total_cmp(&b.sent));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn trace(
        pid: i32,
        role: &str,
        name: &str,
        events: serde_json::Value,
    ) -> TraceSummary {
        serde_json::from_value(json!({
            "pid": pid, "ppid": 1, "name": name, "role": role,
            "t_start": 100.0, "t_run_start": 100.01, "t_run_end": 100.5,
            "events": events,
        }))
        .unwrap()
    }

    #[test]
    fn locks_make_holds_and_waits_and_queue_locks_are_left_out() {
        let a = trace(
            2,
            "child",
            "Process-1",
            json!([
                [100.10, "lock_wait", "L", {"line": 7}],
                [100.11, "lock_acquire", "L", {"line": 7}],
                [100.20, "lock_release", "L", {"line": 9}],
                [100.21, "lock_acquire", "Q", {"line": 12}],
                [100.22, "queue_put", "Q", {"line": 12}],
                [100.30, "lock_acquire", "inner", {}],
            ]),
        );
        let b = trace(
            3,
            "main",
            "MainProcess",
            json!([[100.40, "queue_get", "Q", {"line": 20}]]),
        );
        let t = timeline(
            "t".into(),
            &[a, b],
            &BTreeMap::new(),
            &BTreeSet::new(),
            false,
        )
        .unwrap();
        assert_eq!(t.lanes[0].role, Role::Main, "main first");
        let child = &t.lanes[1];
        assert_eq!(child.holds.len(), 1, "{:?}", child.holds);
        assert_eq!(child.holds[0].lock, "lock A");
        assert_eq!(child.holds[0].line, Some(7));
        assert!((child.holds[0].span.from - 0.11).abs() < 1e-9);
        assert_eq!(child.waits.len(), 1);
        assert_eq!(t.messages.len(), 1);
        assert_eq!((t.messages[0].from_pid, t.messages[0].to_pid), (2, 3));
        assert_eq!(t.messages[0].channel, Channel::Queue);
    }

    #[test]
    fn open_holds_and_waits_last_to_the_end_and_pipes_pair_by_end() {
        let a = trace(
            2,
            "child",
            "Process-1",
            json!([
                [100.1, "lock_acquire", "L", {"line": 3}],
                [100.2, "lock_wait", "M", {"line": 4}],
                [100.3, "send", "pipe:1:1", {"end": 1}],
            ]),
        );
        let b = trace(
            3,
            "main",
            "MainProcess",
            json!([[100.35, "recv", "pipe:1:1", {"end": 0}]]),
        );
        let t = timeline(
            "t".into(),
            &[a, b],
            &BTreeMap::new(),
            &BTreeSet::new(),
            true,
        )
        .unwrap();
        let child = &t.lanes[1];
        assert_eq!(child.holds[0].span.to, None);
        assert_eq!(child.waits[0].span.to, None);
        assert_eq!(child.waits[0].lock, "lock B");
        assert_eq!(t.messages.len(), 1);
        assert_eq!(t.messages[0].channel, Channel::Pipe);
        assert_eq!(t.gate_s.map(|g| (g * 100.0).round()), Some(1.0));
    }

    #[test]
    fn a_timed_acquire_that_gave_up_ends_its_wait() {
        let a = trace(
            2,
            "main",
            "MainProcess",
            json!([
                [100.1, "lock_wait", "L", {"line": 3}],
                [100.2, "lock_timeout", "L", {"line": 3}],
            ]),
        );
        let t = timeline("t".into(), &[a], &BTreeMap::new(), &BTreeSet::new(), false).unwrap();
        assert_eq!(t.lanes[0].waits.len(), 1);
        assert!(t.lanes[0].waits[0].span.to.is_some());
        assert!(t.lanes[0].holds.is_empty());
    }

    #[test]
    fn pool_tasks_carry_their_item_counts() {
        let w = trace(
            5,
            "child",
            "ForkPoolWorker-1",
            json!([
                [100.1, "pool_task_start", "0:0", {"n": 3}],
                [100.2, "pool_task_end", "0:0", {"n": 3}],
                [100.2, "pool_task_start", "0:2", {"n": 3}],
                [100.3, "pool_task_end", "0:2", {"n": 3}],
            ]),
        );
        let t = timeline("t".into(), &[w], &BTreeMap::new(), &BTreeSet::new(), false).unwrap();
        assert_eq!(t.lanes[0].role, Role::PoolWorker);
        let ids: Vec<_> = t.lanes[0]
            .tasks
            .iter()
            .map(|t| (t.id.as_str(), t.items))
            .collect();
        assert_eq!(ids, [("0:0", 3), ("0:2", 3)]);
    }

    #[test]
    fn malformed_events_are_skipped_not_fatal() {
        let a = trace(
            2,
            "main",
            "MainProcess",
            json!([[1], "x", [null, "lock_acquire", "L"], ["a", 1, 2]]),
        );
        let t = timeline("t".into(), &[a], &BTreeMap::new(), &BTreeSet::new(), false).unwrap();
        assert!(t.lanes[0].holds.is_empty());
        assert!(timeline("t".into(), &[], &BTreeMap::new(), &BTreeSet::new(), false).is_none());
    }
}
