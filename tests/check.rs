//! `carrera check` over every exercise, with its fixed default seed: each reference must pass
//! and each buggy variant must get the verdict it declares. The same run writes every
//! grading's feedback page, whose pictures are then checked for their structure.

mod common;
use common::carrera;
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn every_solution_gets_its_declared_verdict_and_its_feedback_draws_the_trial() {
    let gallery = tempfile::tempdir().unwrap();
    let out = carrera()
        .arg("check")
        .arg("--feedback")
        .arg(gallery.path())
        // The program exercise's verdicts under its fast clock; the slower runs that confirm
        // them are in tests/program.rs, real-time runs in solutions/08-biometric-chain/REAL-RUNS.md.
        .arg("--no-confirm")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let why = mismatch_details(&stdout, gallery.path());
    assert!(
        out.status.success(),
        "check failed:\n{stdout}\n{stderr}\n{why}"
    );
    assert!(stdout.contains("check: 0 mismatched verdicts"), "{stdout}");
    assert!(
        stdout.contains("reference.py  expected pass, got pass"),
        "{stdout}"
    );
    assert!(
        stdout.lines().filter(|l| l.starts_with("ok")).count() >= 10,
        "{stdout}"
    );
    pictures_have_their_parts(gallery.path());
    program_feedback_names_the_failing_part(&gallery.path().join("08-biometric-chain"));
}

/// For each mismatched solution, what its saved result says about the failure and the
/// speedup: an intermittent mismatch in CI must leave more behind than its verdict.
fn mismatch_details(stdout: &str, gallery: &Path) -> String {
    let mut out = String::new();
    for line in stdout.lines().filter(|l| l.starts_with("FAIL")) {
        let Some(path) = line.split_whitespace().nth(1).map(Path::new) else {
            continue;
        };
        // solutions/<exercise>/[buggy/]<name>.py, or a folder for a program.
        let exercise = path
            .ancestors()
            .find(|a| a.parent().is_some_and(|p| p.ends_with("solutions")))
            .and_then(Path::file_name);
        let (Some(stem), Some(exercise)) = (path.file_stem(), exercise) else {
            continue;
        };
        let json = gallery
            .join(exercise)
            .join(format!("{}.json", stem.to_string_lossy()));
        let text = std::fs::read_to_string(&json).unwrap_or_default();
        let g: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        out += &format!(
            "{}:\n  failure: {}\n  speedup: {}\n",
            json.display(),
            g["failure"],
            g["speedup"]
        );
    }
    out
}

/// The capstone's results: every point for the three correct programs, each on its own
/// chain layout, and for each buggy one the block, formula or line at fault.
fn program_feedback_names_the_failing_part(dir: &Path) {
    let read = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let failing = |g: &serde_json::Value| -> Vec<String> {
        let checks = g["checks"].as_array().unwrap();
        (checks.iter().filter(|c| c["passed"] == false))
            .map(|c| c["check"].as_str().unwrap().to_string())
            .collect()
    };
    let words = |g: &serde_json::Value, check: &str| -> String {
        let checks = g["checks"].as_array().unwrap();
        let c = checks.iter().find(|c| c["check"] == check).unwrap();
        (c["findings"].as_array().unwrap().iter())
            .map(|f| f[1]["en"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    for (name, entry) in [
        ("reference", "main.py"),
        ("alt_layout", "sistema.py"),
        ("alt_genesis", "main.py"),
    ] {
        let g = read(name);
        assert_eq!(
            (g["verdict"].as_str(), g["points"].as_u64()),
            (Some("pass"), Some(100)),
            "{name}"
        );
        assert_eq!(g["entry"], entry);
        for m in g["methods"].as_array().unwrap() {
            let run = &m["attempts"][0]["run"];
            // Seen by the runtime in every process: the generator, three analyzers, the
            // verifier; a pipe per analyzer, and queues.
            assert!(run["processes"].as_u64().unwrap() >= 5, "{name}: {run}");
            assert!(run["pipes"].as_u64().unwrap() >= 3, "{name}: {run}");
            assert!(run["queues"].as_u64().unwrap() >= 1, "{name}: {run}");
            assert_eq!(run["k"], 20.0);
        }
    }
    // Handed in with its outputs in salida/: deleted before the run, found there after it.
    let g = read("alt_genesis");
    let deleted = &g["methods"][0]["attempts"][0]["run"]["deleted"];
    assert_eq!(
        deleted,
        &serde_json::json!(["salida/blockchain.json", "salida/reporte.txt"])
    );
    let g = read("no_end_marker");
    assert_eq!(failing(&g), ["run_ends"]);
    let stuck = words(&g, "run_ends");
    assert!(
        stuck.contains("waits in") && stuck.contains("main.py:58 (in analizador)"),
        "{stuck}"
    );
    let g = read("inherited_pipe_ends");
    assert_eq!(g["methods"][1]["verdict"], "pass");
    assert_eq!(failing(&g), ["portable", "run_ends"]);
    assert_eq!(failing(&read("drops_first_sample")), ["block_count"]);
    assert!(words(&read("drops_first_sample"), "block_count").contains("59 data blocks"));
    let sticky = words(&read("sticky_alert"), "alert");
    assert!(
        sticky.contains("From block ") && sticky.contains("never reset"),
        "{sticky}"
    );
    let g = read("verifier_other_serialisation");
    assert_eq!(failing(&g), ["verifier_clean", "verifier_detects"]);
    assert!(words(&g, "verifier_clean").contains("Bloque 0 CORRUPTO"));
    let g = read("input_at_end");
    assert!(words(&g, "run_ends").contains("EOFError"), "{g}");
    let g = read("busy_wait_verifier");
    assert_eq!(failing(&g), ["no_busy_wait"]);
}

/// Classes of the elements in every `<svg>` of a page (each parsed as XML, so a malformed
/// picture fails here), counted.
fn svg_classes(html: &str) -> Vec<BTreeMap<String, usize>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("an svg is closed") + start + 6;
        let doc = roxmltree::Document::parse(&rest[start..end]).expect("an svg is well-formed XML");
        let mut classes = BTreeMap::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            for c in n.attribute("class").unwrap_or_default().split_whitespace() {
                *classes.entry(c.to_string()).or_insert(0) += 1;
            }
        }
        out.push(classes);
        rest = &rest[end..];
    }
    out
}

fn n(c: &BTreeMap<String, usize>, class: &str) -> usize {
    c.get(class).copied().unwrap_or(0)
}

fn pictures_have_their_parts(gallery: &Path) {
    // One grading per verdict kind, plus a reference; `arrows` where processes talk through
    // pipes or queues of their own (a Pool's queues are its internals: its tasks are drawn
    // per worker instead).
    let cases = [
        ("05-pool", "reference", "pass", false),
        ("04-lock", "no_lock", "race", false),
        ("03-queue", "join_before_drain", "deadlock", true),
        ("02-pipe", "no_join", "leak", true),
        ("01-processes", "join_in_loop", "not_parallel", false),
        ("03-queue", "completion_order", "wrong", true),
        ("04-lock", "module_state", "not_portable", false),
        ("05-pool", "one_task", "no_speedup", false),
    ];
    for (exercise, stem, verdict, arrows) in cases {
        let base = gallery.join(exercise).join(stem);
        let html = std::fs::read_to_string(base.with_extension("html")).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(base.with_extension("json")).unwrap())
                .unwrap();
        assert_eq!(json["verdict"], verdict, "{exercise}/{stem}");
        let svgs = svg_classes(&html);
        let timeline = svgs
            .iter()
            .find(|c| n(c, "lane") > 0 && n(c, "span") > 0)
            .unwrap_or_else(|| panic!("{exercise}/{stem}: no timeline in {svgs:?}"));
        let what = format!("{exercise}/{stem}: {timeline:?}");
        assert!(n(timeline, "lane") >= 2, "lanes: {what}");
        assert!(n(timeline, "span") >= 2, "spans: {what}");
        if arrows {
            assert!(n(timeline, "arrow") >= 1, "arrows: {what}");
        }
        match verdict {
            "race" => {
                let steps = svgs.iter().map(|c| n(c, "step")).max().unwrap_or(0);
                assert_eq!(steps, 4, "{exercise}/{stem}: lost update steps in {svgs:?}");
                // no_lock holds no lock of its own (a Value's lock is its internals).
                assert_eq!(n(timeline, "hold"), 0, "{what}");
            }
            "deadlock" => {
                let graph = svgs
                    .iter()
                    .find(|c| n(c, "node") > 0)
                    .unwrap_or_else(|| panic!("{exercise}/{stem}: no wait-for graph in {svgs:?}"));
                // The parent waits in join() for children that cannot end (their results are
                // still in the queue): an edge to each (crossed locks: tests/feedback.rs).
                assert!(n(graph, "node") >= 3 && n(graph, "edge") >= 2, "{graph:?}");
                assert!(n(timeline, "stuck") >= 3, "{what}");
            }
            "leak" => assert!(n(timeline, "alive") >= 1, "{what}"),
            _ => {}
        }
        if (exercise, stem) == ("05-pool", "reference") {
            pool_tasks_match_the_trace(&html, &json);
        }
    }
}

/// The drawn tasks are the traced ones, lane by lane, and more than one worker ran some.
fn pool_tasks_match_the_trace(html: &str, json: &serde_json::Value) {
    let lanes = json["picture"]["timeline"]["lanes"].as_array().unwrap();
    let mut workers = 0;
    for lane in lanes {
        let traced = lane["tasks"].as_array().unwrap().len();
        let pid = lane["pid"].as_i64().unwrap();
        let start = html
            .find(&format!("<g class=\"lane\" data-pid=\"{pid}\""))
            .unwrap_or_else(|| panic!("no lane for {pid}"));
        let end = start + html[start..].find("</g>").unwrap();
        let drawn = html[start..end].matches("class=\"task\"").count();
        assert_eq!(drawn, traced, "pid {pid}");
        if traced > 0 {
            workers += 1;
            assert_eq!(lane["role"], "pool_worker", "{lane}");
        }
    }
    assert!(
        workers >= 2,
        "tasks spread over {workers} worker(s): {lanes:?}"
    );
}

#[test]
fn a_mismatch_is_shown_with_its_saved_failure_and_speedup() {
    let gallery = tempfile::tempdir().unwrap();
    std::fs::create_dir(gallery.path().join("05-pool")).unwrap();
    let saved = r#"{"failure": {"verdict": "no_speedup"}, "speedup": {"message": "1.02x"}}"#;
    std::fs::write(gallery.path().join("05-pool/reference.json"), saved).unwrap();
    let stdout = "ok   /r/solutions/05-pool/alt.py  expected pass, got pass\n\
                  FAIL /r/solutions/05-pool/reference.py  expected pass, got no_speedup  (20 trials, 12.5 s)\n";
    let why = mismatch_details(stdout, gallery.path());
    assert!(why.contains("reference.json"), "{why}");
    assert!(why.contains(r#""message":"1.02x""#), "{why}");
    assert!(!why.contains("alt"), "{why}");
}
