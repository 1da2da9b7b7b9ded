//! The exercise's trusted checker on what a run wrote, and the student's own verifier on the
//! clean output and on a tampered copy. The checker never runs student code; the verifier is
//! student code, so it runs in the sandbox.

use super::run::{run_script, ProgramRun, Setup};
use crate::error::{Error, IoContext, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// One check's result, as the checker (or the run itself) states it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub check: String,
    /// `pass`, `fail` or `note` (not fully checkable: never a loss).
    pub status: String,
    pub task: u8,
    pub en: String,
    pub es: String,
}

impl Finding {
    pub fn new(check: &str, ok: bool, task: u8, en: String, es: String) -> Finding {
        Finding {
            check: check.into(),
            status: if ok { "pass" } else { "fail" }.into(),
            task,
            en,
            es,
        }
    }

    pub fn failed(&self) -> bool {
        self.status == "fail"
    }
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    summary: serde_json::Value,
    findings: Vec<Finding>,
}

const CHECKER_WALL: Duration = Duration::from_secs(60);
const VERIFIER_WALL: Duration = Duration::from_secs(30);

/// Every checker finding about one run: chain, report and verifier.
pub fn check(s: &Setup, run: &ProgramRun) -> Result<Vec<Finding>> {
    let ex = s.exercise;
    let ws = run.workspace();
    let (w, t, snaps) = (path(&ws.work), path(&ws.tmp), path(&ws.snapshots));
    let chain = checker(
        s,
        &["chain", "--out", &w, "--out", &t, "--snapshots", &snaps],
    )?;
    let mut findings = chain.findings;
    let file = chain
        .summary
        .get("file")
        .and_then(|f| f.as_str())
        .map(str::to_owned);
    // Tampering needs the chain inside the copy, where the verifier looks for it.
    let rel = file
        .as_deref()
        .and_then(|f| Path::new(f).strip_prefix(&ws.work).ok());
    let (Some(verifier), Some(rel)) = (&ex.spec.program.verifier, rel) else {
        return Ok(findings);
    };
    let rel = rel.to_path_buf();
    if !ws.work.join(verifier).is_file() {
        let (en, es) = (
            format!("There is no {verifier} in the submission: nothing to check the chain with."),
            format!("No hay {verifier} en la entrega: nada con qué verificar la cadena."),
        );
        findings.push(Finding::new(
            "verifier_clean",
            false,
            3,
            en.clone(),
            es.clone(),
        ));
        findings.push(Finding::new("verifier_detects", false, 3, en, es));
        return Ok(findings);
    }
    let report = ex.spec.program.verifier_output.as_deref();
    let tampered = ws.root.join("tampered");
    copy_dir(&ws.work, &tampered)?;
    let outs = ws.root.join("verifier");
    std::fs::create_dir_all(&outs).ctx(|| "creating the verifier's folder")?;
    let clean = verify(s, run, &ws.work, verifier, report, &outs, "clean")?;
    let tamper = checker(
        s,
        &[
            "tamper",
            "--chain",
            &path(&ws.work.join(&rel)),
            "--out",
            &path(&tampered.join(&rel)),
        ],
    )?;
    let index = tamper.summary.get("index").and_then(|i| i.as_i64());
    if let Some(r) = report {
        if let Some(p) = find_in(&tampered, r) {
            let _ = std::fs::remove_file(p); // the verifier must write it afresh
        }
    }
    let dirty = verify(s, run, &tampered, verifier, report, &outs, "tampered")?;
    if let Some(r) = &clean.1 {
        let rep = checker(
            s,
            &[
                "report",
                "--chain",
                &path(&ws.work.join(&rel)),
                "--report",
                r,
            ],
        )?;
        findings.extend(rep.findings);
    } else if let Some(r) = report {
        findings.push(Finding::new(
            "report_file",
            false,
            3,
            format!("{verifier} wrote no {r}."),
            format!("{verifier} no escribió {r}."),
        ));
    }
    let Some(index) = index else {
        findings.extend(tamper.findings);
        return Ok(findings);
    };
    let mut args = vec![
        "verifier".to_string(),
        "--tampered-index".into(),
        index.to_string(),
    ];
    for (flag, file) in [
        ("--clean-stdout", Some(clean.0)),
        ("--clean-report", clean.1),
        ("--tampered-stdout", Some(dirty.0)),
        ("--tampered-report", dirty.1),
    ] {
        if let Some(f) = file {
            args.extend([flag.to_string(), f]);
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    findings.extend(checker(s, &args)?.findings);
    Ok(findings)
}

/// Runs the verifier in `dir`; returns the file with its output (stdout and stderr) and the
/// report it wrote, copied out of reach of later runs.
fn verify(
    s: &Setup,
    run: &ProgramRun,
    dir: &Path,
    verifier: &str,
    report: Option<&str>,
    outs: &Path,
    name: &str,
) -> Result<(String, Option<String>)> {
    let (exit, out, err) = run_script(s, &run.ws, dir, verifier, VERIFIER_WALL)?;
    let said = outs.join(format!("{name}.txt"));
    let text = format!("{out}\n{err}\n[exit: {exit:?}]\n");
    std::fs::write(&said, text).ctx(|| "saving the verifier's output")?;
    let copied = report.and_then(|r| find_in(dir, r)).and_then(|p| {
        let to = outs.join(format!("{name}-report.txt"));
        std::fs::copy(p, &to).ok().map(|_| path(&to))
    });
    Ok((path(&said), copied))
}

fn find_in(dir: &Path, name: &str) -> Option<std::path::PathBuf> {
    super::workspace::find_under(dir, name)
}

fn checker(s: &Setup, args: &[&str]) -> Result<Output> {
    let mut child = Command::new(s.python)
        .arg("-I")
        .arg(s.exercise.checker())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ctx(|| "starting the exercise's checker")?;
    let mut out = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let status = child
        .wait_timeout(CHECKER_WALL)
        .ctx(|| "waiting for the checker")?;
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let text = reader.join().unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| {
        Error::Internal(format!(
            "the checker `{}` gave no result ({e}; status {status:?})",
            args.first().unwrap_or(&"")
        ))
    })
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).ctx(|| format!("creating {}", to.display()))?;
    for e in std::fs::read_dir(from).ctx(|| format!("reading {}", from.display()))? {
        let e = e.ctx(|| "reading a folder")?;
        let t = e.file_type().ctx(|| "reading a file type")?;
        if t.is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()))?;
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).ctx(|| "copying the output")?;
        }
    }
    Ok(())
}
