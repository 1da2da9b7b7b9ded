//! What a student meets first: `--version`, completions, `init` then `grade` with no file,
//! and one clear line for each environment carrera cannot use.

mod common;

use common::{carrera, root};
use std::path::{Path, PathBuf};

/// Gradings are CPU-bound: one at a time on a 2-core machine.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn version_names_the_git_commit_and_the_python_found() {
    let out = carrera().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    let lines: Vec<&str> = s.lines().collect();
    let first = format!("carrera {} (git ", env!("CARGO_PKG_VERSION"));
    assert!(lines[0].starts_with(&first), "{s}");
    assert!(!lines[0].contains("(git )"), "{s}");
    assert!(lines[1].starts_with("python 3."), "{s}");
    // The path in parentheses is a real interpreter, not a shim name.
    let exe = lines[1].split_once('(').unwrap().1.trim_end_matches(')');
    assert!(
        Path::new(exe).is_absolute() && Path::new(exe).exists(),
        "{s}"
    );
    let tier = lines[2]
        .strip_prefix("sandbox ")
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        ["strong (", "rootless (", "minimal ("]
            .iter()
            .any(|t| tier.starts_with(t)),
        "{s}"
    );
}

#[test]
fn completions_come_for_each_shell() {
    for (shell, needle) in [
        ("bash", "_carrera()"),
        ("zsh", "#compdef carrera"),
        ("fish", "complete -c carrera"),
    ] {
        let out = carrera().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = text(&out.stdout);
        assert!(s.contains(needle), "{shell}: {s}");
        assert!(
            s.contains("init") && s.contains("grade"),
            "{shell} lacks subcommands"
        );
    }
}

#[test]
fn init_then_grade_with_no_file_grades_the_starter_and_explains_why_it_fails() {
    let _g = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("x");
    let out = carrera()
        .args(["init", "04-lock"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let starter = std::fs::read(root().join("exercises/04-lock/starter.py")).unwrap();
    assert_eq!(std::fs::read(dir.join("counter.py")).unwrap(), starter);
    for f in ["README.md", "README.es.md"] {
        assert!(dir.join(f).is_file(), "{f} not copied");
    }

    let out = carrera()
        .current_dir(&dir)
        .args(["grade", "04-lock", "--runs", "3", "--seed", "1"])
        .args(["--junit", "j.xml", "--html", "r.html"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    // The starter raises NotImplementedError: the report says so, at the student's line.
    assert!(stdout.contains("crash"), "{stdout}");
    assert!(stdout.contains("NotImplementedError"), "{stdout}");
    assert!(stdout.contains("counter.py:"), "{stdout}");
    assert!(stdout.contains("hint:"), "{stdout}");

    let xml = std::fs::read_to_string(dir.join("j.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    // It never returned: nothing to score processes, joins or portability on either.
    assert!(stdout.contains("score: 0/100"), "{stdout}");
    assert_eq!(failures.len(), 5, "{xml}");
    assert!(failures
        .iter()
        .all(|f| f.attribute("type") == Some("crash")));
    let html = std::fs::read_to_string(dir.join("r.html")).unwrap();
    assert!(html.contains("NotImplementedError"), "html lacks the error");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("r.html")).unwrap().permissions(),
    );
    assert_ne!(mode & 0o044, 0, "report not readable by others: {mode:o}");

    // A second init must not overwrite the student's work.
    std::fs::write(dir.join("counter.py"), "# my work\n").unwrap();
    let out = carrera()
        .args(["init", "04-lock"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not overwriting"));
    assert_eq!(
        std::fs::read_to_string(dir.join("counter.py")).unwrap(),
        "# my work\n"
    );
}

#[test]
fn grade_with_no_file_in_an_empty_folder_says_how_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let out = carrera()
        .current_dir(tmp.path())
        .args(["grade", "04-lock"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("carrera init 04-lock"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// Grading with an environment carrera cannot use: exit 2 and one line on stderr.
fn one_line_error(cmd: &mut assert_cmd::Command, needle: &str) {
    let out = cmd
        .args(["grade", "04-lock", "solutions/04-lock/reference.py"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert!(err.contains("install Python 3.9"), "no way out: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn no_python_on_the_path_is_one_clear_line() {
    let empty = tempfile::tempdir().unwrap();
    one_line_error(
        carrera().env("PATH", empty.path()),
        "no Python found: none of python3, python, python3.15 ... python3.9 is on the PATH",
    );
}

/// No Python 3.8 can be installed here: `dir/name` stands in for one, answering carrera's
/// probe as 3.8 does (its version, then nothing more).
fn python_3_8(dir: &Path, name: &str) -> PathBuf {
    let fake = dir.join(name);
    std::fs::write(&fake, "#!/bin/sh\necho /usr/bin/python3.8\necho 3.8.18\n").unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    fake
}

#[test]
fn python_3_8_is_one_clear_line() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = python_3_8(tmp.path(), "python3.8");
    one_line_error(
        carrera().arg("--python").arg(&fake),
        "is Python 3.8.18; carrera needs Python 3.9 or newer",
    );
    // The same interpreter named by CARRERA_PYTHON: the same line.
    one_line_error(
        carrera().env("CARRERA_PYTHON", &fake),
        "is Python 3.8.18; carrera needs Python 3.9 or newer",
    );
}

#[test]
fn an_old_python3_with_a_newer_python3_n_beside_it_uses_the_newer() {
    let tmp = tempfile::tempdir().unwrap();
    python_3_8(tmp.path(), "python3");
    let real = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let real = PathBuf::from(text(&real.stdout).trim());
    std::os::unix::fs::symlink(&real, tmp.path().join("python3.11")).unwrap();
    let out = carrera()
        .env("PATH", tmp.path())
        .arg("--version")
        .output()
        .unwrap();
    let s = text(&out.stdout);
    // Python names itself by the path it was started from: the link.
    let link = tmp.path().join("python3.11");
    assert!(s.contains(&format!("({})", link.display())), "{s}");
    assert!(!s.contains("3.8"), "{s}");
}

/// A venv of the test's Python with `file` in its site-packages, to change `multiprocessing`
/// as a platform would (the probe runs with `-I`, which still reads site-packages).
fn venv_with(file: &str, content: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    let ok = std::process::Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(ok.success());
    let site = std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("site-packages");
    std::fs::write(site.join(file), content).unwrap();
    let python = venv.join("bin/python");
    (tmp, python)
}

#[test]
fn python_without_semaphores_is_one_clear_line() {
    // What a CPython built without sem_open looks like: `_multiprocessing` has no SemLock.
    let (_tmp, python) = venv_with(
        "sitecustomize.py",
        "import _multiprocessing\ndel _multiprocessing.SemLock\n",
    );
    one_line_error(
        carrera().arg("--python").arg(&python),
        "cannot create multiprocessing locks (ImportError: This platform lacks a functioning sem_open",
    );
}

#[test]
fn a_start_method_the_platform_lacks_is_skipped_and_said_not_failed() {
    let _g = serial();
    // As on Windows: no `fork` context at all. A .pth file applies in every process of the
    // trials too (carrera's own sitecustomize replaces the venv's there), so a trial that
    // asked for fork would crash and fail the grading.
    let (_tmp, python) = venv_with(
        "no_fork.pth",
        "import multiprocessing as m, multiprocessing.context as c; \
         c._concrete_contexts.pop('fork', None); _a = m.get_all_start_methods; \
         m.get_all_start_methods = lambda _a=_a: [x for x in _a() if x != 'fork']\n",
    );
    let run = |format: &str| {
        carrera()
            .arg("--python")
            .arg(&python)
            .args(["grade", "04-lock", "solutions/04-lock/reference.py"])
            .args(["--runs", "6", "--seed", "3", "--format", format])
            .output()
            .unwrap()
    };
    let out = run("json");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["score"], v["max_score"]);
    assert_eq!(v["skipped_methods"], serde_json::json!(["fork"]));
    let out = run("text");
    let s = text(&out.stdout);
    assert!(
        s.contains("not tried, because this Python lacks them (not held against you): fork"),
        "{s}"
    );
}
