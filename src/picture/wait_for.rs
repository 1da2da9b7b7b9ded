//! The wait-for graph of a hung trial: who holds which lock, who waits for it, and who waits
//! in `join` for whom, each edge with the student's line. Built from the timeline's open
//! intervals (partial traces written on the dump signal) and the stacks.

use super::{Lane, Timeline};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WaitFor {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The edges close a cycle: nobody can move (a deadlock in the strict sense).
    pub cycle: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Node {
    pub pid: i32,
    pub name: String,
    /// Locks held when the trial was stopped.
    pub holds: Vec<String>,
    pub stuck_at: Option<String>,
    /// The innermost function it was blocked in (`acquire`, `join`, `recv`...).
    pub waiting_in: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Edge {
    pub from: i32,
    pub to: i32,
    /// `lock A`, or `join`.
    pub via: String,
    pub line: Option<u32>,
}

/// `waiting_in` maps pids to the function each stuck process was blocked in.
pub fn wait_for(t: &Timeline, waiting_in: &BTreeMap<i32, String>) -> Option<WaitFor> {
    let open_holds = |l: &Lane| -> Vec<String> {
        l.holds
            .iter()
            .filter(|h| h.span.to.is_none())
            .map(|h| h.lock.clone())
            .collect()
    };
    let mut edges = Vec::new();
    for p in &t.lanes {
        for w in p.waits.iter().filter(|w| w.span.to.is_none()) {
            for q in t.lanes.iter().filter(|q| q.pid != p.pid) {
                if open_holds(q).contains(&w.lock) {
                    edges.push(Edge {
                        from: p.pid,
                        to: q.pid,
                        via: w.lock.clone(),
                        line: w.line,
                    });
                }
            }
        }
        // join() blocks in the child's Popen.wait/poll; the student's line says join.
        let in_join = waiting_in.get(&p.pid).map(String::as_str) == Some("join")
            || p.stuck_at.as_deref().is_some_and(|s| s.contains(".join("));
        if in_join {
            for c in t.lanes.iter().filter(|c| c.ppid == p.pid) {
                if c.run.is_some_and(|r| r.to.is_none()) || c.partial {
                    edges.push(Edge {
                        from: p.pid,
                        to: c.pid,
                        via: "join".into(),
                        line: line_of(p.stuck_at.as_deref()),
                    });
                }
            }
        }
    }
    let stuck: Vec<&Lane> = t
        .lanes
        .iter()
        .filter(|l| l.stuck_at.is_some() || edges.iter().any(|e| e.from == l.pid || e.to == l.pid))
        .collect();
    if stuck.is_empty() {
        return None;
    }
    let nodes = stuck
        .iter()
        .map(|l| Node {
            pid: l.pid,
            name: l.name.clone(),
            holds: open_holds(l),
            stuck_at: l.stuck_at.clone(),
            waiting_in: waiting_in.get(&l.pid).cloned(),
        })
        .collect();
    let cycle = has_cycle(&edges);
    Some(WaitFor {
        nodes,
        edges,
        cycle,
    })
}

/// `file.py:12  text` → 12.
fn line_of(stuck_at: Option<&str>) -> Option<u32> {
    let rest = stuck_at?.split_once(':')?.1;
    rest.trim()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn has_cycle(edges: &[Edge]) -> bool {
    // Depth-first search with colours: 1 = on the path, 2 = done.
    fn visit(n: i32, edges: &[Edge], colour: &mut BTreeMap<i32, u8>) -> bool {
        colour.insert(n, 1);
        for e in edges.iter().filter(|e| e.from == n) {
            match colour.get(&e.to) {
                Some(1) => return true,
                Some(_) => {}
                None => {
                    if visit(e.to, edges, colour) {
                        return true;
                    }
                }
            }
        }
        colour.insert(n, 2);
        false
    }
    let mut colour = BTreeMap::new();
    edges
        .iter()
        .any(|e| !colour.contains_key(&e.from) && visit(e.from, edges, &mut colour))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::timeline;
    use serde_json::json;
    use std::collections::BTreeSet;

    fn trace(pid: i32, events: serde_json::Value) -> crate::observe::TraceSummary {
        serde_json::from_value(
            json!({"pid": pid, "ppid": 1, "name": format!("Process-{pid}"),
            "role": "child", "t_start": 1.0, "t_run_start": 1.0, "partial": true,
            "events": events}),
        )
        .unwrap()
    }

    #[test]
    fn crossed_locks_make_a_cycle_with_lines() {
        let a = trace(
            2,
            json!([[1.1, "lock_acquire", "L", {"line": 5}], [1.2, "lock_wait", "M", {"line": 6}]]),
        );
        let b = trace(
            3,
            json!([[1.1, "lock_acquire", "M", {"line": 11}], [1.2, "lock_wait", "L", {"line": 12}]]),
        );
        let stuck = BTreeMap::from([(2, "sub.py:6".to_string()), (3, "sub.py:12".to_string())]);
        let t = timeline("t".into(), &[a, b], &stuck, &BTreeSet::new(), false).unwrap();
        let g = wait_for(
            &t,
            &BTreeMap::from([(2, "acquire".into()), (3, "acquire".into())]),
        )
        .unwrap();
        assert!(g.cycle);
        let edges: Vec<_> = g
            .edges
            .iter()
            .map(|e| (e.from, e.to, e.via.as_str(), e.line))
            .collect();
        assert_eq!(
            edges,
            [(2, 3, "lock B", Some(6)), (3, 2, "lock A", Some(12))]
        );
        assert_eq!(g.nodes[0].holds, ["lock A"]);
        assert_eq!(line_of(Some("sub.py:12")), Some(12));
    }

    #[test]
    fn a_parent_in_join_waits_for_its_running_child() {
        let parent: crate::observe::TraceSummary = serde_json::from_value(json!({"pid": 1,
            "ppid": 0, "name": "MainProcess", "role": "main", "t_start": 1.0, "partial": true,
            "events": []}))
        .unwrap();
        let child = trace(2, json!([]));
        let stuck = BTreeMap::from([(1, "sub.py:30  p.join()".to_string())]);
        let t = timeline(
            "t".into(),
            &[parent, child],
            &stuck,
            &BTreeSet::new(),
            false,
        )
        .unwrap();
        let g = wait_for(&t, &BTreeMap::from([(1, "poll".into()), (2, "get".into())])).unwrap();
        assert!(!g.cycle);
        assert_eq!(
            g.edges,
            [Edge {
                from: 1,
                to: 2,
                via: "join".into(),
                line: Some(30)
            }]
        );
    }
}
