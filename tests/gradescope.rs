//! Gradescope: `grade --format gradescope` writes a valid results.json, and the zip from
//! `gradescope-package` works when its `run_autograder` runs on a fake /autograder tree.

mod common;
use common::{carrera, gradescope_problems, root};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// Gradings are CPU-bound: one at a time on a 2-core CI.
static SERIAL: Mutex<()> = Mutex::new(());

fn results(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let v: Value = serde_json::from_str(&text).unwrap();
    let problems = gradescope_problems(&v);
    assert!(problems.is_empty(), "{}: {problems:?}\n{text}", p.display());
    v
}

#[test]
fn grade_writes_a_valid_gradescope_results_json() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results.json");
    let status = carrera()
        .args(["grade", "04-lock", "solutions/04-lock/buggy/no_lock.py"])
        .args(["--format", "gradescope", "--runs", "8", "--seed", "1", "-o"])
        .arg(&out)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    let v = results(&out);
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 5);
    let correctness = &tests[0];
    assert_eq!(correctness["status"], "failed");
    assert_eq!(correctness["score"], 0);
    // The failure is explained where the student sees it: in the failing test's output.
    let output = correctness["output"].as_str().unwrap();
    assert!(
        output.contains("expected") && output.contains("replay it"),
        "{output}"
    );
    assert!(tests[1..].iter().all(|t| t["status"] == "passed"));
    assert_eq!(v["score"], 50);
    assert_eq!(v["extra_data"]["verdict"], "race");
}

#[test]
fn the_package_grades_a_submission_on_a_fake_autograder_tree() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("autograder.zip");
    let status = carrera()
        .args(["gradescope-package", "04-lock", "--runs", "6", "--out"])
        .arg(&zip_path)
        .output()
        .unwrap()
        .status;
    assert!(status.success());

    // Gradescope unzips the package into /autograder/source.
    let ag = tmp.path().join("autograder");
    let source = ag.join("source");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    for need in [
        "setup.sh",
        "run_autograder",
        "carrera",
        "exercises/04-lock/exercise.toml",
    ] {
        assert!(names.iter().any(|n| n == need), "{need} not in {names:?}");
    }
    for name in ["setup.sh", "run_autograder", "carrera"] {
        let mode = zip.by_name(name).unwrap().unix_mode().unwrap();
        assert_eq!(mode & 0o111, 0o111, "{name} is executable");
    }
    zip.extract(&source).unwrap();
    for name in ["run_autograder", "carrera"] {
        let p = source.join(name);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let sub = ag.join("submission");

    let grade = |file: &str, bytes: &[u8]| -> Value {
        let _ = std::fs::remove_dir_all(&sub);
        let _ = std::fs::remove_dir_all(ag.join("results"));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(file), bytes).unwrap();
        let out = Command::new("bash")
            .arg(source.join("run_autograder"))
            .env("CARRERA_AUTOGRADER_ROOT", &ag)
            .env_remove("CARRERA_PYTHON")
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        results(&ag.join("results/results.json"))
    };

    let reference = std::fs::read(root().join("solutions/04-lock/reference.py")).unwrap();
    let v = grade("counter.py", &reference);
    assert_eq!(v["score"], 100, "{v}");
    assert!(v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "passed"));

    let buggy = std::fs::read(root().join("solutions/04-lock/buggy/never_released.py")).unwrap();
    let v = grade("counter.py", &buggy);
    assert_eq!(v["extra_data"]["verdict"], "deadlock", "{v}");
    assert_eq!(v["score"], 80);

    // Not UTF-8: carrera refuses it, and the student still gets a results.json saying why.
    let mut latin1 = b"# caf\xe9\n".to_vec();
    latin1.extend(&reference);
    let v = grade("counter.py", &latin1);
    assert_eq!(v["score"], 0);
    assert!(v["output"].as_str().unwrap().contains("UTF-8"), "{v}");
}
