//! The interleaving that lost an update, when the trace holds one: process A reads v, B reads
//! the same v before A writes, then both write, and the later write erases the earlier.

use super::timeline::{events, Event};
use crate::observe::TraceSummary;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LostUpdate {
    /// `Value` or `Array[3]`.
    pub shared: String,
    /// Read A, read B, then the two writes, in time order.
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    pub pid: i32,
    pub process: String,
    pub write: bool,
    pub value: Option<String>,
    pub line: Option<u32>,
    /// The source of that line (filled in by the grader, which has the file).
    pub code: Option<String>,
}

impl Step {
    /// `read 41` / `wrote 42` (or without the value), in the student's language.
    pub fn describe(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{t, tf};
        match (&self.value, self.write) {
            (Some(v), false) => tf(lang, "picture.read_v", &[("v", v.clone())]),
            (Some(v), true) => tf(lang, "picture.wrote_v", &[("v", v.clone())]),
            (None, false) => t(lang, "picture.read"),
            (None, true) => t(lang, "picture.wrote"),
        }
    }
}

/// A read and the same process's next write to the same place (a read-modify-write).
struct Rmw<'a> {
    read: &'a Event<'a>,
    write: &'a Event<'a>,
}

pub fn lost_update(traces: &[TraceSummary]) -> Option<LostUpdate> {
    let evs: Vec<Event> = traces.iter().flat_map(events).collect();
    // Shared memory is keyed by its address, the same in forked processes only; a spawned
    // child maps it elsewhere, so there the student's line stands for the place.
    find(traces, &evs, |e| e.key.to_string()).or_else(|| {
        find(traces, &evs, |e| {
            e.line()
                .map_or_else(|| e.key.to_string(), |l| format!("line {l}"))
        })
    })
}

fn find(
    traces: &[TraceSummary],
    evs: &[Event],
    place_of: impl Fn(&Event) -> String,
) -> Option<LostUpdate> {
    let names: BTreeMap<i32, &str> = traces.iter().map(|t| (t.pid, t.name.as_str())).collect();
    // place → its reads and writes, every process, in time order
    let mut places: BTreeMap<(String, bool), Vec<&Event>> = BTreeMap::new();
    for e in evs {
        let array = match e.kind {
            "value_get" | "value_set" => false,
            "array_get" | "array_set" => true,
            _ => continue,
        };
        let place = match (array, e.int("i")) {
            (false, _) => place_of(e),
            (true, Some(i)) => format!("{}[{i}]", place_of(e)),
            (true, None) => continue,
        };
        places.entry((place, array)).or_default().push(e);
    }
    let mut best: Option<(f64, LostUpdate)> = None;
    for ((_, array), mut list) in places {
        list.sort_by(|a, b| a.t.total_cmp(&b.t));
        let rmws = read_modify_writes(&list);
        for a in &rmws {
            for b in &rmws {
                // Both read before either wrote: whichever writes last erases the other.
                let stale = b.read.pid != a.read.pid
                    && b.read.t > a.read.t
                    && b.read.t < a.write.t
                    && b.read.t < b.write.t
                    && same_value(a.read, b.read);
                if !stale || best.as_ref().is_some_and(|(t, _)| *t <= a.read.t) {
                    continue;
                }
                let step = |e: &Event| Step {
                    pid: e.pid,
                    process: names.get(&e.pid).unwrap_or(&"?").to_string(),
                    write: e.kind.ends_with("_set"),
                    value: e.value().map(|v| v.to_string()),
                    line: e.line(),
                    code: None,
                };
                let shared = match a.read.int("i") {
                    Some(i) if array => format!("Array[{i}]"),
                    _ => "Value".to_string(),
                };
                best = Some((
                    a.read.t,
                    LostUpdate {
                        shared,
                        steps: {
                            let mut w = [a.write, b.write];
                            w.sort_by(|x, y| x.t.total_cmp(&y.t));
                            vec![step(a.read), step(b.read), step(w[0]), step(w[1])]
                        },
                    },
                ));
            }
        }
    }
    best.map(|(_, l)| l)
}

/// Values are compared only when both reads recorded one.
fn same_value(a: &Event, b: &Event) -> bool {
    match (a.value(), b.value()) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn read_modify_writes<'a>(list: &'a [&'a Event<'a>]) -> Vec<Rmw<'a>> {
    let mut last_read: BTreeMap<i32, &Event> = BTreeMap::new();
    let mut out = Vec::new();
    for e in list {
        if e.kind.ends_with("_get") {
            last_read.insert(e.pid, e);
        } else if let Some(read) = last_read.remove(&e.pid) {
            out.push(Rmw { read, write: e });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trace(pid: i32, events: serde_json::Value) -> TraceSummary {
        serde_json::from_value(
            json!({"pid": pid, "ppid": 1, "name": format!("Process-{pid}"),
            "role": "child", "events": events}),
        )
        .unwrap()
    }

    #[test]
    fn two_reads_of_41_before_either_write_lose_an_update() {
        let a = trace(
            2,
            json!([
                [1.0, "value_get", "V", {"v": 40, "line": 8}],
                [1.1, "value_set", "V", {"v": 41, "line": 8}],
                [2.0, "value_get", "V", {"v": 41, "line": 8}],
                [2.2, "value_set", "V", {"v": 42, "line": 8}],
            ]),
        );
        let b = trace(
            3,
            json!([
                [1.2, "value_get", "V", {"v": 41, "line": 8}],
                [1.3, "value_set", "V", {"v": 42, "line": 8}],
                [2.1, "value_get", "V", {"v": 41, "line": 8}],
                [2.3, "value_set", "V", {"v": 42, "line": 8}],
            ]),
        );
        let l = lost_update(&[a, b]).expect("a lost update");
        let seen: Vec<_> = l
            .steps
            .iter()
            .map(|s| (s.pid, s.write, s.value.clone().unwrap()))
            .collect();
        assert_eq!(
            seen,
            [
                (2, false, "41".into()),
                (3, false, "41".into()),
                (2, true, "42".into()),
                (3, true, "42".into())
            ]
        );
        assert_eq!(l.shared, "Value");
        assert_eq!(l.steps[0].line, Some(8));
    }

    #[test]
    fn spawned_children_see_one_value_at_two_addresses_but_one_line() {
        let a = trace(
            2,
            json!([[1.0, "value_get", "0x10", {"v": 7, "line": 8}], [1.3, "value_set", "0x10", {"v": 8, "line": 8}]]),
        );
        let b = trace(
            3,
            json!([[1.1, "value_get", "0x90", {"v": 7, "line": 8}], [1.4, "value_set", "0x90", {"v": 8, "line": 8}]]),
        );
        let l = lost_update(&[a, b]).expect("found by line");
        assert_eq!(
            l.steps.iter().map(|s| s.pid).collect::<Vec<_>>(),
            [2, 3, 2, 3]
        );
    }

    #[test]
    fn the_first_reader_writing_last_also_loses_an_update() {
        let a = trace(
            2,
            json!([[1.0, "value_get", "V", {"v": 7}], [1.5, "value_set", "V", {"v": 8}]]),
        );
        let b = trace(
            3,
            json!([[1.1, "value_get", "V", {"v": 7}], [1.2, "value_set", "V", {"v": 8}]]),
        );
        let l = lost_update(&[a, b]).expect("a lost update");
        let order: Vec<_> = l.steps.iter().map(|s| (s.pid, s.write)).collect();
        assert_eq!(order, [(2, false), (3, false), (3, true), (2, true)]);
    }

    #[test]
    fn updates_one_after_the_other_lose_nothing() {
        let a = trace(
            2,
            json!([[1.0, "value_get", "V", {"v": 0}], [1.1, "value_set", "V", {"v": 1}]]),
        );
        let b = trace(
            3,
            json!([[1.2, "value_get", "V", {"v": 1}], [1.3, "value_set", "V", {"v": 2}]]),
        );
        assert_eq!(lost_update(&[a, b]), None);
    }

    #[test]
    fn array_cells_are_separate_places() {
        let a = trace(
            2,
            json!([[1.0, "array_get", "A", {"i": 0, "v": 5}], [1.3, "array_set", "A", {"i": 0, "v": 6}]]),
        );
        let b = trace(
            3,
            json!([[1.1, "array_get", "A", {"i": 1, "v": 5}], [1.4, "array_set", "A", {"i": 1, "v": 6}]]),
        );
        assert_eq!(lost_update(&[a.clone(), b]), None);
        let c = trace(
            4,
            json!([[1.1, "array_get", "A", {"i": 0, "v": 5}], [1.4, "array_set", "A", {"i": 0, "v": 6}]]),
        );
        assert_eq!(lost_update(&[a, c]).unwrap().shared, "Array[0]");
    }
}
