//! The GitHub Actions workflows in examples/ci/ that courses copy: actionlint (with shellcheck
//! over their `run:` scripts) finds nothing, and the two single-job workflows keep what matters
//! (reports uploaded even after a failure, the grading's exit code not swallowed).
//!
//! actionlint and shellcheck are looked up on PATH. Under CI (`CI` set; .ci/run installs both
//! and puts them on PATH) they are required; elsewhere the lint is skipped with a note, as
//! tests/batch.rs does with Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An executable file named `name` in a folder of PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            p.metadata()
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

fn under_ci() -> bool {
    std::env::var_os("CI").is_some()
}

fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/ci"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")))
        .collect();
    files.sort();
    files
}

/// actionlint over `file` (or stdin for "-"), with shellcheck when given.
fn actionlint(
    bin: &Path,
    shellcheck: Option<&Path>,
    file: &str,
    stdin: Option<&str>,
) -> (bool, String) {
    let mut cmd = Command::new(bin);
    cmd.current_dir(root()).arg("-no-color");
    match shellcheck {
        Some(sc) => cmd.arg(format!("-shellcheck={}", sc.display())),
        None => cmd.arg("-shellcheck="),
    };
    cmd.arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run actionlint");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn workflows_pass_actionlint_and_shellcheck() {
    let files = workflows();
    assert!(
        files.len() >= 3,
        "expected at least 3 workflows in examples/ci/, found {files:?}"
    );

    let Some(lint) = on_path("actionlint") else {
        assert!(
            !under_ci(),
            "actionlint is needed to lint examples/ci/*.yml: put it on PATH (.ci/run installs it)"
        );
        eprintln!(
            "NOTE: workflows not linted: no actionlint here (.ci/run installs it; CI requires it)"
        );
        return;
    };
    let shellcheck = on_path("shellcheck");
    if shellcheck.is_none() {
        assert!(
            !under_ci(),
            "shellcheck is needed to lint the workflows' run: scripts: put it on PATH (.ci/run installs it)"
        );
        eprintln!("NOTE: run: scripts not checked: no shellcheck here (.ci/run installs it; CI requires it)");
    }
    let shellcheck = shellcheck.as_deref();

    // The linters really look: a broken workflow fails, and with shellcheck its script's
    // unquoted variable is reported.
    let broken =
        "name: canary\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      \
                  - uses: actions/checkout@v5\n        with:\n          no-such-input: 1\n      \
                  - run: echo $UNQUOTED\n";
    let (ok, text) = actionlint(&lint, shellcheck, "-", Some(broken));
    assert!(
        !ok && text.contains("no-such-input"),
        "actionlint passed a broken workflow:\n{text}"
    );
    if shellcheck.is_some() {
        assert!(
            text.contains("SC2086"),
            "shellcheck did not check the run: script:\n{text}"
        );
    }

    // One file per run, so that each counts only once it has been linted clean.
    let mut linted = 0;
    for f in &files {
        let rel = f.strip_prefix(root()).unwrap().to_str().unwrap();
        let (ok, text) = actionlint(&lint, shellcheck, rel, None);
        assert!(ok, "actionlint {rel}:\n{text}");
        linted += 1;
    }
    assert!(linted >= 3, "only {linted} workflows linted");
}

/// The steps of a workflow, each as its lines: a step starts at a `- ` item under `steps:`.
fn steps(text: &str) -> Vec<Vec<&str>> {
    let mut steps: Vec<Vec<&str>> = Vec::new();
    let mut indent = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let depth = line.len() - trimmed.len();
        if trimmed.starts_with("steps:") {
            indent = Some(depth);
            continue;
        }
        let Some(base) = indent else { continue };
        if !trimmed.is_empty() && !trimmed.starts_with('#') && depth <= base {
            // Back out of the steps list (another job or key).
            if !(depth == base && trimmed.starts_with("- ")) {
                indent = None;
                continue;
            }
        }
        if trimmed.starts_with("- ") && depth <= base + 2 {
            steps.push(vec![line]);
        } else if let Some(step) = steps.last_mut() {
            step.push(line);
        }
    }
    steps
}

/// The shell lines of a step's `run: |` script, continuation lines joined.
fn commands(step: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_run = false;
    for line in step {
        let t = line.trim();
        if t.starts_with("run:") || t.starts_with("- run:") {
            in_run = true;
            let rest = t.trim_start_matches("- ").trim_start_matches("run:").trim();
            if rest != "|" && !rest.is_empty() {
                out.push(rest.to_string());
            }
            continue;
        }
        if !in_run || t.is_empty() || t.starts_with('#') {
            continue;
        }
        current.push_str(t.trim_end_matches('\\'));
        current.push(' ');
        if !t.ends_with('\\') {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

#[test]
fn single_job_workflows_upload_reports_and_keep_the_exit_code() {
    for name in ["course-repo.yml", "classroom.yml"] {
        let path = root().join("examples/ci").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let lower = text.to_lowercase();
        assert!(lower.contains("junit"), "{name}: no JUnit report");
        assert!(
            lower.contains("report") && lower.contains(".html"),
            "{name}: no HTML report"
        );
        assert!(text.contains("permissions:") && text.contains("contents: read"));
        assert!(text.contains("CARRERA_PACKAGE") && text.contains("carrera --version"));
        assert!(
            text.contains("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
            "{name}: no AppArmor step"
        );
        assert!(
            !text.contains("continue-on-error"),
            "{name}: a failing step must fail the job"
        );

        let steps = steps(&text);
        let upload: Vec<_> = steps
            .iter()
            .filter(|s| s.iter().any(|l| l.contains("actions/upload-artifact@")))
            .collect();
        assert_eq!(upload.len(), 1, "{name}: one upload-artifact step");
        assert!(
            upload[0].iter().any(
                |l| l.contains("if:") && (l.contains("always()") || l.contains("!cancelled()"))
            ),
            "{name}: the reports must be uploaded when grading failed too:\n{}",
            upload[0].join("\n")
        );

        let grading: Vec<_> = steps
            .iter()
            .filter(|s| {
                commands(s)
                    .iter()
                    .any(|c| c.contains("carrera batch") || c.contains("carrera grade"))
            })
            .collect();
        assert_eq!(grading.len(), 1, "{name}: one grading step");
        let script = commands(grading[0]);
        for c in script.iter().filter(|c| c.contains("carrera ")) {
            // The grading command may only save its status, never drop it.
            if let Some((_, after)) = c.split_once("||") {
                let after = after.trim();
                let var = after.strip_suffix("=$?").unwrap_or_else(|| {
                    panic!("{name}: the grading command's failure is swallowed: {c}")
                });
                assert!(
                    var.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_'),
                    "{name}: {c}"
                );
            }
            for bad in ["|| true", "|| :", "-eq 1", "|| exit 0"] {
                assert!(!c.contains(bad), "{name}: exit code 1 swallowed: {c}");
            }
        }
        let last = script.last().map(|s| s.trim()).unwrap_or_default();
        assert!(
            last.starts_with("exit \"$") || script.iter().all(|c| !c.contains("||")),
            "{name}: the grading step must end by exiting with the saved status, ends with {last:?}"
        );
    }
}
