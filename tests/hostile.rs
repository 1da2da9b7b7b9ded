//! Hostile submissions for 04-lock (`tests/hostile/*.py`), graded in one `carrera batch`:
//! fork bomb, daemons, floods, memory and disk hogs, hangs, killing the parent, the process
//! group or the grader, reading and writing outside the workspace, the network, forged
//! output, a patched runtime, early exits. Each file declares the verdict it must get
//! (`# expect:`), and where a weaker sandbox tier contains the attack differently or not at
//! all, the verdict it gets there (`# expect-rootless:`, `# expect-minimal:`); its docstring
//! says why.
//!
//! The test also checks that the grader survives them all (it exits 0 or 1, never by a
//! signal, and grades every submission), that nothing of any trial is left running
//! afterwards, and (except on the minimal tier) that nothing was written outside the
//! workspace. Everything it finds wrong is reported at once, then survivors are killed.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// Read by `tests/hostile/read_secret.py`: readable only without filesystem isolation.
const SECRET: &str = "/tmp/carrera-hostile-secret.txt";
/// `tests/hostile/write_outside.py` tries to create `/tmp/<this><pid>`.
const WRITTEN_PREFIX: &str = "carrera-hostile-written-";
/// `tests/hostile/network_connect.py` connects here.
const PORT: u16 = 47613;
/// In the command line of every daemon the fixtures start.
const HOSTILE_CMDLINE: &str = "carrera-hostile";
/// Set on the batch: `zz_kill_grader.py` targets `carrera` processes that carry it (or are
/// its ancestors), and never anyone else's.
const VICTIM_VAR: &str = "CARRERA_HOSTILE_VICTIM";
/// Every attack is deterministic, so few trials do. Few also keep the memory hog's trials
/// (1.5 GiB each) from piling up: a grading runs up to two trials per CPU at once.
const STRESS: [&str; 4] = ["--runs", "2", "--seed", "1"];
/// The whole tree's memory limit the batch grades with.
const MEMORY_MB: u64 = 512;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Far beyond the few minutes the batch takes: a hung grader must not hang the test.
const WATCHDOG: Duration = Duration::from_secs(15 * 60);

struct Fixture {
    /// The file name, which is also the submission's name in the class folder.
    name: String,
    path: PathBuf,
    expect: String,
    /// Tier name -> the verdict on that tier, where it differs.
    by_tier: std::collections::BTreeMap<String, String>,
}

fn header(line: Option<&str>, key: &str) -> Option<String> {
    let v = line?.trim().strip_prefix(key)?.trim().to_string();
    assert!(
        carrera::verdict::Verdict::parse(&v).is_some(),
        "unknown verdict `{v}` after `{key}`"
    );
    Some(v)
}

/// Every `tests/hostile/*.py`, with its declared verdicts (first line, then one line per tier
/// where it differs).
fn fixtures() -> Vec<Fixture> {
    let dir = common::root().join("tests/hostile");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = e.path();
        if !path.extension().is_some_and(|x| x == "py") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let name = e.file_name().to_string_lossy().into_owned();
        let expect = header(lines.next(), "# expect:")
            .unwrap_or_else(|| panic!("{name}: the first line must be `# expect: <verdict>`"));
        let mut by_tier = std::collections::BTreeMap::new();
        for line in lines.take_while(|l| l.starts_with("# expect-")) {
            let (key, _) = line.split_once(':').unwrap_or((line, ""));
            let tier = key.trim_start_matches("# expect-").to_string();
            assert!(
                ["rootless", "minimal"].contains(&tier.as_str()),
                "{name}: unknown tier in `{line}`"
            );
            let v = header(Some(line), &format!("{key}:")).unwrap();
            by_tier.insert(tier, v);
        }
        out.push(Fixture {
            name,
            path,
            expect,
            by_tier,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Numeric entries of /proc, without this test's own process.
fn pids() -> Vec<i32> {
    let me = std::process::id() as i32;
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|&p| p != me)
        .collect()
}

fn zombie(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit(')')
        .next()
        .is_some_and(|s| s.trim_start().starts_with(['Z', 'X']))
}

fn cmdline(pid: i32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw)
        .replace('\0', " ")
        .trim()
        .to_string()
}

/// Live processes of the batch `batch` (by the trial marker carrera gives each trial tree)
/// and every process whose command line says it is a hostile fixture's daemon.
fn survivors(batch: Option<u32>) -> Vec<(i32, String)> {
    // carrera writes the pid zero-padded to 10 digits (`trial::run`); accept both forms.
    let needles: Vec<String> = batch
        .map(|b| {
            vec![
                format!("CARRERA_TRIAL=carrera-{b:010}-"),
                format!("CARRERA_TRIAL=carrera-{b}-"),
            ]
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for pid in pids() {
        if zombie(pid) {
            continue;
        }
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let marked = env
            .split(|&b| b == 0)
            .any(|v| needles.iter().any(|n| v.starts_with(n.as_bytes())));
        let cmd = cmdline(pid);
        if marked || cmd.contains(HOSTILE_CMDLINE) {
            found.push((pid, cmd));
        }
    }
    found
}

/// Survivors after giving the grader's own kills a moment to land.
fn settled_survivors(batch: Option<u32>) -> Vec<(i32, String)> {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        let s = survivors(batch);
        if s.is_empty() || Instant::now() >= until {
            return s;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kill_survivors(batch: Option<u32>) {
    for _ in 0..20 {
        let s = survivors(batch);
        if s.is_empty() {
            return;
        }
        for (pid, _) in s {
            // SAFETY: plain kill(2) on a pid just read from /proc; a stale one gives ESRCH.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn written_files() -> Vec<PathBuf> {
    std::fs::read_dir("/tmp")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(WRITTEN_PREFIX))
        .map(|e| e.path())
        .collect()
}

/// A killed batch cannot remove its trials' runtime folders (`/dev/shm/carrera-*`, see
/// `trial::run`) nor the named semaphores they list. Removes those that are provably this
/// test's: a trial folder in them names a workspace under `work`. Others' are never touched.
fn remove_own_meta(work: &Path) {
    let Ok(rd) = std::fs::read_dir("/dev/shm") else {
        return;
    };
    let work = work.display().to_string();
    for root in rd.flatten() {
        if !root.file_name().to_string_lossy().starts_with("carrera-") {
            continue;
        }
        let trials: Vec<PathBuf> = std::fs::read_dir(root.path())
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        let ours = trials
            .iter()
            .any(|t| std::fs::read_to_string(t.join("spec.json")).is_ok_and(|s| s.contains(&work)));
        if !ours {
            continue;
        }
        for t in &trials {
            let list = std::fs::read_to_string(t.join("semaphores.txt")).unwrap_or_default();
            for name in list.lines().map(|l| l.trim().trim_start_matches('/')) {
                let valid = name.strip_prefix("mp-").is_some_and(|r| {
                    !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                if valid {
                    let _ = std::fs::remove_file(format!("/dev/shm/sem.{name}"));
                }
            }
        }
        let _ = std::fs::remove_dir_all(root.path());
    }
}

/// Undoes what the test set up and kills what the fixtures left, even when it panics.
struct Cleanup {
    batch: Option<u32>,
    work: Option<PathBuf>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        kill_survivors(self.batch);
        if let Some(w) = &self.work {
            remove_own_meta(w);
        }
        let _ = std::fs::remove_file(SECRET);
        for f in written_files() {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// A TCP listener on the fixed port that accepts and drops every connection.
fn listen() {
    let listener = std::net::TcpListener::bind(("127.0.0.1", PORT))
        .unwrap_or_else(|e| panic!("listening on 127.0.0.1:{PORT}: {e}"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
}

/// The rows the batch saved (one per finished submission), by submission name. Read from
/// `.carrera/results/`, which also holds what a killed batch had finished.
fn saved_rows(out: &Path) -> BTreeMap<String, Value> {
    let mut rows = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(out.join(".carrera/results")) else {
        return rows;
    };
    for e in rd.flatten() {
        let row: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", e.path().display()));
        rows.insert(row["name"].as_str().unwrap().to_string(), row);
    }
    rows
}

fn read_lossy(p: &Path) -> String {
    let mut s = Vec::new();
    if let Ok(mut f) = std::fs::File::open(p) {
        let _ = f.read_to_end(&mut s);
    }
    String::from_utf8_lossy(&s).into_owned()
}

/// What a row says about its failure, for the mismatch table.
fn detail(row: &Value) -> String {
    if let Some(r) = row["reason"].as_str() {
        return r.to_string();
    }
    let f = &row["grade"]["failure"];
    let mut d = f["title"].as_str().unwrap_or("").to_string();
    if let Some(c) = f["case"].as_str() {
        d.push_str(&format!(" (case {c})"));
    }
    d
}

#[test]
fn hostile_submissions_get_their_verdicts_and_leave_nothing_behind() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 16, "{} fixtures", fixtures.len());

    // Leftovers of an earlier, interrupted run would be taken for this one's.
    kill_survivors(None);
    for f in written_files() {
        std::fs::remove_file(f).unwrap();
    }
    let mut cleanup = Cleanup {
        batch: None,
        work: None,
    };
    std::fs::write(SECRET, "the answer key\n").unwrap();
    listen();

    let tmp = tempfile::tempdir().unwrap();
    let class = tmp.path().join("class");
    std::fs::create_dir_all(&class).unwrap();
    for f in &fixtures {
        std::fs::copy(&f.path, class.join(&f.name)).unwrap();
    }
    // 04-lock as shipped, but with a smaller memory limit for the whole program (it is one
    // setting per exercise): memory_hog.py, bounded for the machine's sake, must exceed it
    // within the stress trials' short timeout.
    let exercises = tmp.path().join("exercises");
    for kind in ["exercises", "solutions"] {
        copy_dir(
            &common::root().join(kind).join("04-lock"),
            &tmp.path().join(kind).join("04-lock"),
        );
    }
    let toml = exercises.join("04-lock/exercise.toml");
    let spec = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{spec}\n[limits]\nmemory_mb = {MEMORY_MB}\n"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    // The batch's own work folders go in the temporary folder too, even if it is killed.
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    cleanup.work = Some(work.clone());
    let (stdout, stderr) = (tmp.path().join("stdout"), tmp.path().join("stderr"));

    let started = Instant::now();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("carrera"))
        .current_dir(common::root())
        .arg("--exercises")
        .arg(&exercises)
        .args(["batch", "04-lock"])
        .arg(&class)
        .arg("--out")
        .arg(&out)
        .args(STRESS)
        .env("LANG", "C")
        .env_remove("CARRERA_PYTHON")
        .env("TMPDIR", &work)
        .env(VICTIM_VAR, "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let batch = child.id();
    cleanup.batch = Some(batch);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = started.elapsed();
    eprintln!(
        "hostile: batch of {} graded in {:.1} s, {:?}",
        fixtures.len(),
        wall.as_secs_f64(),
        status
    );
    let (stdout, stderr) = (read_lossy(&stdout), read_lossy(&stderr));
    eprintln!("--- batch stdout\n{stdout}--- batch stderr\n{stderr}---");

    let mut problems: Vec<String> = Vec::new();

    // The grader survives: a normal exit, 0 (all pass) or 1 (some fail), and a row for
    // every submission (a submission that broke the batch would leave the rest ungraded).
    match status.map(|s| (s.code(), s)) {
        None => problems.push(format!(
            "the batch was still running after {} s and was killed",
            WATCHDOG.as_secs()
        )),
        Some((Some(0 | 1), _)) => {}
        Some((Some(c), _)) => problems.push(format!("the batch exited with {c}")),
        Some((None, s)) => problems.push(format!("the grader was killed: {s}")),
    }
    let rows = saved_rows(&out);
    let graded: Vec<&String> = rows.keys().collect();
    if rows.len() != fixtures.len() {
        let missing: Vec<&str> = fixtures
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| !rows.contains_key(*n))
            .collect();
        problems.push(format!(
            "{} of {} submissions graded; never graded: {}",
            rows.len(),
            fixtures.len(),
            missing.join(", ")
        ));
    }
    if matches!(status.and_then(|s| s.code()), Some(0 | 1)) {
        let csv = read_lossy(&out.join("grades.csv"));
        let csv_rows = csv.lines().count().saturating_sub(1);
        if csv_rows < fixtures.len() {
            problems.push(format!(
                "grades.csv has {csv_rows} rows for {} submissions",
                fixtures.len()
            ));
        }
    }

    // Verdicts, each against its tier's expectation.
    let mut tiers: Vec<String> = Vec::new();
    let mut table = vec![format!(
        "{:<26} {:<8} {:<15} {:<15} detail",
        "fixture", "tier", "expected", "got"
    )];
    for f in &fixtures {
        let Some(row) = rows.get(&f.name) else {
            table.push(format!(
                "{:<26} {:<8} {:<15} {:<15} no row: not graded",
                f.name, "?", f.expect, "-"
            ));
            continue;
        };
        let tier = row["grade"]["sandbox"].as_str().unwrap_or("?").to_string();
        if !tiers.contains(&tier) && tier != "?" {
            tiers.push(tier.clone());
        }
        let want = f.by_tier.get(&tier).unwrap_or(&f.expect);
        let got = row["verdict"].as_str().unwrap_or("?");
        eprintln!(
            "hostile: {:<26} {tier:<8} expected {want:<15} got {got}",
            f.name
        );
        if got != want {
            table.push(format!(
                "{:<26} {tier:<8} {want:<15} {got:<15} {}",
                f.name,
                detail(row)
            ));
        }
    }
    if table.len() > 1 {
        problems.push(format!(
            "{} verdict(s) differ:\n{}",
            table.len() - 1,
            table.join("\n")
        ));
    }
    if tiers.len() > 1 {
        problems.push(format!("rows report different tiers: {tiers:?}"));
    }
    let minimal = tiers.iter().any(|t| t == "minimal");

    // Nothing of any trial survives the batch.
    let left = settled_survivors(Some(batch));
    if !left.is_empty() {
        let list: Vec<String> = left.iter().map(|(p, c)| format!("  {p} {c}")).collect();
        problems.push(format!(
            "{} process(es) survived the batch:\n{}",
            left.len(),
            list.join("\n")
        ));
    }

    // Nothing written outside the workspace, where the tier isolates the filesystem.
    let written = written_files();
    if minimal {
        eprintln!(
            "hostile: tier minimal (no filesystem isolation): not asserting that nothing was \
             written outside the workspace; found {} /tmp/{WRITTEN_PREFIX}* file(s)",
            written.len()
        );
    } else if !written.is_empty() {
        problems.push(format!(
            "written outside the workspace: {}",
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    drop(cleanup);
    assert!(
        problems.is_empty(),
        "graded: {graded:?}\n\n{}",
        problems.join("\n\n")
    );
}
