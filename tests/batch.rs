//! `carrera batch` end to end on a class folder for 04-lock: verdicts in grades.csv, JUnit and
//! Gradescope files that validate, the class report as headless Chromium renders it, a
//! SIGKILL half-way then `--resume`, and three shards merged.
//!
//! Tests that grade take `SERIAL`: gradings are CPU-bound, and two at once on a 2-core CI
//! can turn a slow trial into a false hang (docs/batch.md, Concurrency).

mod common;
use common::{gradescope_problems, root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Few trials and a fixed seed: the variants below get their verdict reliably with these.
const STRESS: [&str; 4] = ["--runs", "6", "--seed", "1"];
const HOSTILE: &str = "O'Brien <b>&amp; x.py";
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("carrera")
}

fn carrera(args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(root())
        .arg("--exercises")
        .arg(root().join("exercises"))
        .args(args)
        .env("LANG", "C")
        .env_remove("CARRERA_PYTHON");
    c
}

fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.code().is_some(),
        "killed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn batch(class: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = batch_defaults(class, out);
    c.args(STRESS).args(extra);
    c
}

/// `carrera batch 04-lock <input> --out <out>` with the exercise's own stress settings.
fn batch_defaults(input: &Path, out: &Path) -> Command {
    let mut c = carrera(&["batch", "04-lock"]);
    c.arg(input).arg("--out").arg(out);
    c
}

/// The class, and the verdict each submission must get: the shipped variants' own
/// `# expect:` lines, and for the broken ones what the entry rules (docs/batch.md) say.
fn class(dir: &Path) -> BTreeMap<String, String> {
    let sol = root().join("solutions/04-lock");
    let mut expect = BTreeMap::new();
    let copy = |from: &str, to: &str| {
        let src = sol.join(from);
        let dst = dir.join(to);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(&src, &dst).unwrap();
        carrera_declared(&src)
    };
    for (from, name) in [
        ("reference.py", "ana.py"),
        ("buggy/no_lock.py", "bob.py"),
        ("buggy/lock_per_worker.py", "dora.py"),
        ("buggy/threading_lock.py", "eve.py"),
        ("buggy/module_state.py", "fay.py"),
        ("buggy/no_join.py", "gus.py"),
        ("buggy/parent_does_work.py", "hal.py"),
        ("buggy/never_released.py", "ivy.py"),
        ("buggy/syntax_error.py", "jon.py"),
        ("reference.py", HOSTILE),
    ] {
        let v = copy(from, name);
        expect.insert(name.to_string(), v);
    }
    // A folder with the exercise's file name and a helper: counter.py is the entry.
    let v = copy("alt_value_get_lock.py", "Carla Pérez/counter.py");
    std::fs::write(dir.join("Carla Pérez/notes.py"), "X = 1\n").unwrap();
    expect.insert("Carla Pérez".into(), v);
    // Empty: nothing defines the function, so importing it fails.
    std::fs::write(dir.join("kim.py"), "").unwrap();
    expect.insert("kim.py".into(), "crash".into());
    // Two candidate entries, neither named counter.py: ambiguous.
    copy("reference.py", "lea/a.py");
    copy("reference.py", "lea/b.py");
    expect.insert("lea".into(), "invalid_submission".into());
    // A correct solution saved as Latin-1: not UTF-8 text.
    let mut bytes = b"# caf\xe9\n".to_vec();
    bytes.extend(std::fs::read(sol.join("reference.py")).unwrap());
    std::fs::write(dir.join("max.py"), bytes).unwrap();
    expect.insert("max.py".into(), "invalid_submission".into());
    // Hidden entries are not submissions.
    std::fs::write(dir.join(".DS_Store"), "x").unwrap();
    assert!(expect.len() >= 12);
    expect
}

fn carrera_declared(path: &Path) -> String {
    carrera::check::declared(path).unwrap().as_str().to_string()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn csv_rows(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(out.join("grades.csv")).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn jsonl(out: &Path) -> Vec<Value> {
    read(&out.join("results.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn batch_grades_a_class_resumes_after_sigkill_and_merges_shards() {
    let _one = serial();
    let tmp = tempfile::tempdir().unwrap();
    let cls = tmp.path().join("class");
    let expect = class(&cls);
    let n = expect.len();

    // --- One uninterrupted run.
    let a = tmp.path().join("a");
    let t = Instant::now();
    let out = run(&mut batch(&cls, &a, &[]));
    let wall_a = t.elapsed();
    eprintln!("batch of {n}: {:.1} s", wall_a.as_secs_f64());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "some fail: {stdout}");
    assert!(stdout.contains(&format!("graded {n}, kept 0")), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with('[')).count(),
        n,
        "one progress line per submission when not a terminal: {stderr}"
    );

    // grades.csv: every verdict, ordered by name, scores adding up.
    let (header, rows) = csv_rows(&a);
    assert_eq!(
        header,
        [
            "name",
            "score",
            "max_score",
            "verdict",
            "correctness",
            "deadlock_free",
            "processes",
            "no_leak",
            "portability"
        ]
    );
    let got: BTreeMap<String, String> = rows.iter().map(|r| (r[0].clone(), r[3].clone())).collect();
    assert_eq!(got, expect, "verdicts");
    let names: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by name");
    for r in &rows {
        let checks: u32 = r[4..].iter().map(|s| s.parse::<u32>().unwrap()).sum();
        assert_eq!(r[1].parse::<u32>().unwrap(), checks, "{r:?}");
        assert_eq!(r[2], "100", "{r:?}");
        assert_eq!(r[3] == "pass", r[1] == "100", "{r:?}");
    }

    // results.jsonl: one full result per submission, same verdicts.
    let lines = jsonl(&a);
    assert_eq!(lines.len(), n);
    for l in &lines {
        let name = l["name"].as_str().unwrap();
        assert_eq!(l["verdict"], expect[name].as_str(), "{name}");
        match l["verdict"].as_str().unwrap() {
            "invalid_submission" => {
                assert!(l["grade"].is_null());
                assert!(!l["reason"].as_str().unwrap().is_empty());
            }
            v => assert_eq!(l["grade"]["verdict"], v, "{name}"),
        }
    }
    let reason = |name: &str| {
        let l = lines.iter().find(|l| l["name"] == name).unwrap();
        l["reason"].as_str().unwrap().to_string()
    };
    assert!(reason("lea").contains("ambiguous") && reason("lea").contains("a.py, b.py"));
    assert!(reason("max.py").contains("UTF-8"), "{}", reason("max.py"));

    // Student folders: sanitised names, feedback in both forms, a valid results.json.
    for l in &lines {
        let dir = l["dir"].as_str().unwrap();
        assert!(
            dir.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-~".contains(c))
                && !dir.starts_with('.'),
            "{dir}"
        );
        let d = a.join(dir);
        let txt = read(&d.join("feedback.txt"));
        assert!(txt.contains(&format!("{}/100", l["score"])), "{dir}: {txt}");
        if let Some(why) = l["reason"].as_str() {
            assert!(txt.contains(why), "{dir}: {txt}");
        }
        let html = read(&d.join("feedback.html"));
        assert!(html.contains("Content-Security-Policy") && !html.contains("<script"));
        let gs: Value = serde_json::from_str(&read(&d.join("results.json"))).unwrap();
        let problems = gradescope_problems(&gs);
        assert!(problems.is_empty(), "{dir}/results.json: {problems:?}");
        assert_eq!(gs["score"], l["score"], "{dir}");
        assert_eq!(gs["tests"].as_array().unwrap().len(), 5, "{dir}");
    }
    let bob = read(&a.join("bob.py/feedback.txt"));
    assert!(bob.contains("race") && bob.contains("replay it: carrera grade 04-lock bob.py"));
    let bob = read(&a.join("bob.py/feedback.html"));
    assert!(
        bob.contains("<b>hint:</b>") && bob.contains("expected"),
        "{bob}"
    );
    let hostile_dir = lines.iter().find(|l| l["name"] == HOSTILE).unwrap()["dir"].clone();
    assert!(!hostile_dir.as_str().unwrap().contains('<'));

    check_junit(&a, &rows);
    check_report(&a, &rows, &lines);

    // --- SIGKILL half-way, then --resume.
    let b = tmp.path().join("b");
    let mut child = batch(&cls, &b, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let records = b.join(".carrera/results");
    let deadline = Instant::now() + Duration::from_secs(300);
    while count(&records) < n / 2 {
        assert!(Instant::now() < deadline, "the batch made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    kill_orphans(child.id());
    let saved = snapshot(&records);
    assert!(saved.len() >= n / 2 && saved.len() < n, "{}", saved.len());
    assert!(
        !b.join("grades.csv").exists(),
        "class files come at the end"
    );
    for (name, bytes) in &saved {
        let row: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dir = row["dir"].as_str().unwrap();
        for f in ["feedback.txt", "feedback.html", "results.json"] {
            assert!(
                b.join(dir).join(f).is_file(),
                "{dir}/{f} saved before its record"
            );
        }
    }
    let out = run(&mut batch(&cls, &b, &[]));
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing batch needs --resume"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));
    let out = run(&mut batch(&cls, &b, &["--resume", "--lang", "es"]));
    assert_eq!(
        out.status.code(),
        Some(2),
        "resume with other settings is refused"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("other settings"));
    let out = run(&mut batch(&cls, &b, &["--resume"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let kept = saved.len();
    assert!(
        stdout.contains(&format!("graded {}, kept {kept}", n - kept)),
        "only the missing ones are graded: {stdout}"
    );
    let after = snapshot(&records);
    for (name, bytes) in &saved {
        assert_eq!(&after[name], bytes, "{name} was not regraded");
    }
    same_files(&a, &b);
    assert!(
        std::fs::read_dir(b.join(".carrera/tmp"))
            .unwrap()
            .next()
            .is_none(),
        "no temporary file left"
    );

    // The class files are a function of the saved rows: re-rendered, the same bytes.
    let c = tmp.path().join("c");
    let out = run(carrera(&["merge"]).arg(&b).arg("--out").arg(&c));
    assert_eq!(out.status.code(), Some(1));
    for f in ["grades.csv", "results.jsonl", "junit.xml", "report.html"] {
        assert_eq!(read(&b.join(f)), read(&c.join(f)), "{f}");
    }

    // --- Three shards, merged.
    let mut shards = Vec::new();
    let mut names = BTreeSet::new();
    for k in 1..=3 {
        let s = tmp.path().join(format!("shard{k}"));
        let spec = format!("{k}/3");
        let out = run(&mut batch(&cls, &s, &["--shard", &spec]));
        assert!(matches!(out.status.code(), Some(0 | 1)));
        let (_, rows) = csv_rows(&s);
        for r in rows {
            assert!(names.insert(r[0].clone()), "{} in two shards", r[0]);
        }
        shards.push(s);
    }
    assert_eq!(names.len(), n, "the shards cover the class");
    let partial = run(carrera(&["merge"])
        .args(&shards[..2])
        .arg("--out")
        .arg(tmp.path().join("partial")));
    assert_eq!(
        partial.status.code(),
        Some(2),
        "a missing shard is an error"
    );
    let m = tmp.path().join("merged");
    let out = run(carrera(&["merge"]).args(&shards).arg("--out").arg(&m));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(read(&m.join("grades.csv")), read(&a.join("grades.csv")));
    assert_eq!(read(&m.join("junit.xml")), read(&a.join("junit.xml")));
    eprintln!("whole test: {:.1} s", t.elapsed().as_secs_f64());
}

fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Trials of the killed batch keep running (a deadlocked one forever): end them by the
/// marker carrera puts in their environment.
fn kill_orphans(pid: u32) {
    let marker = format!("CARRERA_TRIAL=carrera-{pid:010}-");
    for _ in 0..3 {
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(p) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
            if env
                .split(|&b| b == 0)
                .any(|v| v.starts_with(marker.as_bytes()))
            {
                // SAFETY: kill(2) on a pid just read from /proc.
                unsafe { libc::kill(p, libc::SIGKILL) };
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An interrupted-and-resumed batch against an uninterrupted one. Files without measured
/// values must be identical; the others are compared on everything but the measured
/// fields, listed in docs/batch.md ("What is reproducible").
fn same_files(a: &Path, b: &Path) {
    for f in ["grades.csv", "junit.xml"] {
        assert_eq!(read(&a.join(f)), read(&b.join(f)), "{f}");
    }
    let (la, lb) = (jsonl(a), jsonl(b));
    assert_eq!(la.len(), lb.len());
    for (x, y) in la.iter().zip(&lb) {
        assert_eq!(stable(x), stable(y), "results.jsonl, {}", x["name"]);
        let dir = x["dir"].as_str().unwrap();
        let gs = |p: &Path| {
            let v: Value = serde_json::from_str(&read(&p.join(dir).join("results.json"))).unwrap();
            let tests: Vec<Value> = v["tests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| serde_json::json!([t["name"], t["score"], t["max_score"], t["status"]]))
                .collect();
            (v["score"].clone(), tests)
        };
        assert_eq!(gs(a), gs(b), "{dir}/results.json");
        if x["grade"].is_null() {
            for f in ["feedback.txt", "feedback.html", "results.json"] {
                assert_eq!(
                    read(&a.join(dir).join(f)),
                    read(&b.join(dir).join(f)),
                    "{dir}/{f}"
                );
            }
        }
    }
    let cut = |s: String| {
        let i = s.find("<section id=\"stress\">").unwrap();
        let j = i + s[i..].find("</section>").unwrap();
        format!("{}{}", &s[..i], &s[j..])
    };
    assert_eq!(
        cut(read(&a.join("report.html"))),
        cut(read(&b.join("report.html"))),
        "report.html outside the measured 'found by stress' section"
    );
}

/// A row of results.jsonl without its measured values.
fn stable(row: &Value) -> Value {
    let mut r = row.clone();
    if let Some(g) = r.get_mut("grade").and_then(Value::as_object_mut) {
        for k in MEASURED {
            g.remove(*k);
        }
        if let Some(checks) = g.get_mut("checks").and_then(Value::as_array_mut) {
            for c in checks {
                let c = c.as_object_mut().unwrap();
                for k in ["trials", "failures", "message"] {
                    c.remove(k);
                }
            }
        }
        if let Some(f) = g.get_mut("failure").and_then(Value::as_object_mut) {
            f.retain(|k, _| {
                ["verdict", "title", "concept", "hint", "compile", "question"].contains(&k.as_str())
            });
        }
    }
    r
}

const MEASURED: &[&str] = &[
    "duration_s",
    "trials_per_second",
    "timeout_s",
    "trials",
    "failures",
    // one trial's timeline: its times and pids
    "picture",
];

fn check_junit(out: &Path, rows: &[Vec<String>]) {
    let text = read(&out.join("junit.xml"));
    let doc = roxmltree::Document::parse(&text).expect("junit.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attr = |n: roxmltree::Node, k: &str| -> usize {
        n.attribute(k)
            .unwrap_or_else(|| panic!("{} lacks {k}", n.tag_name().name()))
            .parse()
            .unwrap()
    };
    let suites: Vec<_> = root.children().filter(|c| c.is_element()).collect();
    assert_eq!(suites.len(), rows.len(), "one suite per submission");
    let (mut tests, mut failures) = (0, 0);
    for (suite, row) in suites.iter().zip(rows) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        assert_eq!(suite.attribute("name"), Some(row[0].as_str()));
        let cases: Vec<_> = suite.children().filter(|c| c.is_element()).collect();
        assert_eq!(attr(*suite, "tests"), cases.len());
        assert_eq!(cases.len(), 5, "one case per check");
        let mut failed = 0;
        for (case, score) in cases.iter().zip(&row[4..]) {
            assert_eq!(case.tag_name().name(), "testcase");
            assert!(case.attribute("name").is_some() && case.attribute("classname").is_some());
            let failure = case.children().find(|c| c.has_tag_name("failure"));
            assert_eq!(
                failure.is_some(),
                score == "0",
                "{} {:?}",
                row[0],
                case.attribute("name")
            );
            if let Some(f) = failure {
                assert!(f.attribute("message").is_some_and(|m| m.contains(&row[3])));
                failed += 1;
            }
        }
        assert_eq!(attr(*suite, "failures"), failed);
        assert_eq!(attr(*suite, "errors"), 0);
        tests += cases.len();
        failures += failed;
    }
    assert_eq!(attr(root, "tests"), tests);
    assert_eq!(attr(root, "failures"), failures);
}

fn chromium() -> Option<PathBuf> {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {c}"))
            .output()
        {
            if o.status.success() {
                return Some(PathBuf::from(String::from_utf8(o.stdout).unwrap().trim()));
            }
        }
    }
    None
}

fn headless(browser: &Path, page: &Path, action: &[String]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1200,1700",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(action)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What the report shows, read from the DOM Chromium built: the charts' numbers, the table,
/// the links, the 'found by stress' list; no fetches; and a screenshot.
fn check_report(out: &Path, rows: &[Vec<String>], lines: &[Value]) {
    let page = out.join("report.html");
    let source = read(&page);
    assert!(
        !source.contains("http://") && !source.contains("https://"),
        "offline"
    );
    assert!(!source.contains("<script"), "no scripts");
    // The README's `cargo test` must work with only Rust and Python; CI (CI=true, .ci/run
    // installs Chromium) must render the report.
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "headless Chromium is needed to check report.html: install it (apt-get install -y chromium; .ci/run does)"
        );
        eprintln!("NOTE: report.html not rendered: no Chromium here (.ci/run installs it; CI requires it)");
        return;
    };
    let dom = String::from_utf8(headless(&browser, &page, &["--dump-dom".into()]).stdout).unwrap();
    assert!(dom.contains("<svg"), "charts are inline SVG");

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(r[3].as_str()).or_default() += 1;
    }
    for (v, k) in &counts {
        let bar = format!("data-verdict=\"{v}\" data-count=\"{k}\"");
        assert!(dom.contains(&bar), "verdict chart lacks {bar}");
    }
    assert_eq!(dom.matches("class=\"bar-verdict\"").count(), counts.len());
    let full = rows.iter().filter(|r| r[1] == r[2]).count();
    assert!(dom.contains(&format!("data-bin=\"100%\" data-count=\"{full}\"")));
    let zero = rows
        .iter()
        .filter(|r| r[1].parse::<u32>().unwrap() < 10)
        .count();
    assert!(dom.contains(&format!("data-bin=\"0–9%\" data-count=\"{zero}\"")));
    let pass = counts.get("pass").copied().unwrap_or(0);
    assert!(dom.contains(&format!("<b class=\"pass\">{pass}</b> pass")));

    // Most failing check first, with its count.
    let failing = rows.iter().filter(|r| r[4] == "0").count();
    assert!(dom.contains(&format!(
        "<tr data-check=\"correctness\"><td>correctness</td><td class=\"num\">{failing}</td>"
    )));

    // The table: a row and a working feedback link per submission, names escaped.
    assert_eq!(dom.matches("<tr class=\"row\"").count(), rows.len());
    for l in lines {
        let name = esc(l["name"].as_str().unwrap());
        let dir = l["dir"].as_str().unwrap();
        assert!(
            dom.contains(&format!("<a href=\"{dir}/feedback.html\">{name}</a>")),
            "{name}"
        );
        assert!(out.join(dir).join("feedback.html").is_file());
    }
    assert!(!dom.contains("<b>&amp;"), "a name is text, never markup");

    // Found by stress: exactly the failures that needed more than one run.
    let needed: BTreeSet<String> = lines
        .iter()
        .filter(|l| {
            let f = &l["grade"]["failure"];
            let before = f["passed_before"].as_u64().unwrap_or(0);
            let r = &f["reproduced"];
            before > 0 || r[0].as_u64() < r[1].as_u64()
        })
        .map(|l| esc(l["name"].as_str().unwrap()))
        .collect();
    let section = &dom[dom.find("id=\"stress\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    let listed: BTreeSet<String> = section
        .split("<li data-name=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect();
    assert_eq!(listed, needed, "found-by-stress list");

    let shots = tempfile::tempdir().unwrap();
    let png = shots.path().join("report.png");
    headless(
        &browser,
        &page,
        &[format!("--screenshot={}", png.display())],
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
    if let Some(keep) = std::env::var_os("CARRERA_REPORT_PNG") {
        std::fs::copy(&png, keep).unwrap();
    }
}

fn zip_of(path: &Path, files: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Cheap: nothing here reaches a trial (entries are invalid or do not compile).
#[test]
fn a_zip_export_is_graded_like_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = tmp.path().join("export.zip");
    // One top-level folder, as LMS exports have: its entries are the submissions.
    zip_of(
        &zip,
        &[
            ("course/ana/notes.txt", b"no python here"),
            ("course/bob.py", b"def count_with_lock(:\n"),
            ("course/__MACOSX/._bob.py", b"junk"),
        ],
    );
    let out = tmp.path().join("out");
    let o = run(&mut batch_defaults(&zip, &out));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (_, rows) = csv_rows(&out);
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        got,
        [("ana", "invalid_submission"), ("bob.py", "compile_error")]
    );

    // An entry that climbs out of the folder is refused, and nothing is written.
    let evil = tmp.path().join("evil.zip");
    zip_of(&evil, &[("../../evil.py", b"x = 1\n")]);
    let out2 = tmp.path().join("out2");
    let o = run(&mut batch_defaults(&evil, &out2));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unsafe path"));
    assert!(!out2.exists() && !tmp.path().parent().unwrap().join("evil.py").exists());
}

#[test]
fn a_folder_that_is_not_a_batch_is_never_written_into() {
    let tmp = tempfile::tempdir().unwrap();
    let cls = tmp.path().join("class");
    std::fs::create_dir_all(&cls).unwrap();
    std::fs::write(cls.join("a.py"), "def f(:\n").unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "precious").unwrap();
    let o = run(&mut batch_defaults(&cls, &out));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A grader error (here: the reference solution fails its calibration) is a row with the
/// reason, the batch goes on, the exit code is 2; `--resume` grades that row again.
#[test]
fn a_grader_error_is_a_row_and_resume_retries_it() {
    let _one = serial();
    let tmp = tempfile::tempdir().unwrap();
    let exercises = tmp.path().join("exercises");
    copy_dir(
        &root().join("exercises/04-lock"),
        &exercises.join("04-lock"),
    );
    let reference = tmp.path().join("solutions/04-lock/reference.py");
    std::fs::create_dir_all(reference.parent().unwrap()).unwrap();
    std::fs::write(
        &reference,
        "def count_with_lock(n, k):\n    raise SystemExit(3)\n",
    )
    .unwrap();
    let cls = tmp.path().join("class");
    std::fs::create_dir_all(&cls).unwrap();
    std::fs::copy(
        root().join("solutions/04-lock/reference.py"),
        cls.join("ana.py"),
    )
    .unwrap();
    std::fs::write(cls.join("bob.py"), "def count_with_lock(:\n").unwrap();
    let out = tmp.path().join("out");
    let batch = || {
        let mut c = Command::new(bin());
        c.arg("--exercises")
            .arg(&exercises)
            .args(["batch", "04-lock"])
            .arg(&cls)
            .arg("--out")
            .arg(&out)
            .args(STRESS)
            .env("LANG", "C");
        c
    };
    let o = run(&mut batch());
    assert_eq!(o.status.code(), Some(2));
    let (_, rows) = csv_rows(&out);
    assert_eq!(rows[0][..4], ["ana.py", "0", "100", "grader_error"]);
    assert_eq!(rows[1][3], "compile_error", "the batch went on");
    let l = &jsonl(&out)[0];
    assert!(l["reason"].as_str().unwrap().contains("calibration"), "{l}");
    assert!(read(&out.join("junit.xml")).contains("<error"));

    std::fs::copy(root().join("solutions/04-lock/reference.py"), &reference).unwrap();
    let o = run(batch().arg("--resume"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("graded 1, kept 1"), "{stdout}");
    assert_eq!(o.status.code(), Some(1));
    let (_, rows) = csv_rows(&out);
    assert_eq!(rows[0][..4], ["ana.py", "100", "100", "pass"]);
}

/// Cheap (nothing compiles, so nothing runs): names that are not UTF-8, hold a newline or
/// a quote, start with a dash or dots, each still get a row and a safe folder of their own.
#[test]
fn hostile_file_names_get_rows_and_safe_folders() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let cls = tmp.path().join("class");
    std::fs::create_dir_all(&cls).unwrap();
    let names: [&[u8]; 6] = [
        b"caf\xe9.py",
        b"new\nline.py",
        b"-rf.py",
        b"..py",
        b"say \"hi\", then go.py",
        b"report.html",
    ];
    for n in names {
        let p = cls.join(std::ffi::OsStr::from_bytes(n));
        if n == b"report.html" {
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join("counter.py"), "def f(:\n").unwrap();
        } else {
            std::fs::write(p, "def f(:\n").unwrap();
        }
    }
    let out = tmp.path().join("out");
    let o = run(&mut batch_defaults(&cls, &out));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (_, rows) = csv_rows(&out);
    let lines = jsonl(&out);
    // "..py" is hidden (it starts with a dot), like .DS_Store.
    assert_eq!(rows.len(), names.len() - 1, "{rows:?}");
    assert!(rows.iter().all(|r| r[3] == "compile_error"), "{rows:?}");
    assert!(rows.iter().any(|r| r[0] == "new\nline.py"));
    assert!(rows.iter().any(|r| r[0] == "caf\u{fffd}.py"));
    let dirs: BTreeSet<&str> = lines.iter().map(|l| l["dir"].as_str().unwrap()).collect();
    assert_eq!(dirs.len(), rows.len());
    for d in dirs {
        assert!(!d.starts_with(['.', '-']) && d != "report.html", "{d}");
        assert!(
            d.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-~".contains(c)),
            "{d}"
        );
        assert!(out.join(d).join("feedback.html").is_file());
    }
    assert!(
        out.join("report.html").is_file(),
        "the class report is still a file"
    );
}

/// Cheap (compile errors only): a late submission is graded on `--resume`; a shard refuses
/// to resume over a changed class, since its subset would change.
#[test]
fn resume_grades_a_late_submission_but_a_shard_refuses_a_changed_class() {
    let tmp = tempfile::tempdir().unwrap();
    let cls = tmp.path().join("class");
    std::fs::create_dir_all(&cls).unwrap();
    std::fs::write(cls.join("a.py"), "def f(:\n").unwrap();
    std::fs::write(cls.join("b.py"), "def f(:\n").unwrap();
    let (whole, shard) = (tmp.path().join("whole"), tmp.path().join("shard"));
    let go = |out: &Path, extra: &[&str]| run(batch_defaults(&cls, out).args(extra));
    assert_eq!(go(&whole, &[]).status.code(), Some(1));
    assert_eq!(go(&shard, &["--shard", "1/2"]).status.code(), Some(1));
    std::fs::write(cls.join("c.py"), "def f(:\n").unwrap();

    let o = go(&whole, &["--resume"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("graded 1, kept 2"));
    assert_eq!(csv_rows(&whole).1.len(), 3);

    let o = go(&shard, &["--shard", "1/2", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("class folder changed"));
}
