//! Preparing a grading: the private work directory, the runtime, and `py_compile`-style
//! syntax checking (compiling runs none of the student's code).

use crate::error::{Error, IoContext, Result};
use crate::python::Python;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompileError {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub text: Option<String>,
}

const COMPILE: &str = r#"
import json, sys
path = sys.argv[1]
try:
    compile(open(path, "rb").read(), path, "exec", dont_inherit=True)
except (SyntaxError, ValueError) as e:
    print(json.dumps({"ok": False, "line": getattr(e, "lineno", None) or 0,
        "column": getattr(e, "offset", None) or 0,
        "message": getattr(e, "msg", None) or str(e), "text": getattr(e, "text", None)}))
    sys.exit(0)
out = {"ok": True}
if len(sys.argv) > 2 and sys.implementation.cache_tag:
    try:
        import py_compile
        py_compile.compile(path, cfile=sys.argv[2], doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        out["tag"] = sys.implementation.cache_tag
    except Exception:
        pass  # no bytecode then: every trial compiles the module, as before
print(json.dumps(out))
"#;

/// What compiling the submission gave.
#[derive(Debug)]
pub enum Compiled {
    /// It compiles; its bytecode, if asked for and written.
    Ok(Option<Bytecode>),
    Error(CompileError),
}

/// The submission's bytecode: an unchecked-hash .pyc (PEP 552), which an import uses without
/// comparing it with the source. Each trial's workspace gets a copy in `__pycache__`, so no
/// interpreter of a trial compiles the module again (trials never write bytecode).
#[derive(Debug, Clone)]
pub struct Bytecode {
    pub path: PathBuf,
    /// The interpreter's cache tag (`cpython-311`), part of the file name imports look for.
    pub tag: String,
}

/// Compiles `file` without running it; with `bytecode`, also writes its .pyc there.
pub fn compile(python: &Python, file: &Path, bytecode: Option<&Path>) -> Result<Compiled> {
    let mut child = Command::new(&python.exe)
        .args(["-I", "-c", COMPILE])
        .arg(file)
        .args(bytecode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ctx(|| format!("running {}", python.exe.display()))?;
    let status = child
        .wait_timeout(Duration::from_secs(30))
        .ctx(|| "waiting for the syntax check")?;
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Error::Internal("the syntax check took over 30 s".into()));
    }
    let out = child
        .wait_with_output()
        .ctx(|| "reading the syntax check")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(text.trim()).map_err(|_| {
        Error::Internal(format!(
            "the syntax check failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    })?;
    if v["ok"] == true {
        let tag = v["tag"].as_str().map(str::to_owned);
        let written = bytecode.zip(tag).map(|(path, tag)| Bytecode {
            path: path.to_path_buf(),
            tag,
        });
        return Ok(Compiled::Ok(written));
    }
    let err: CompileError = serde_json::from_value(v)
        .map_err(|e| Error::Internal(format!("syntax check output: {e}")))?;
    Ok(Compiled::Error(CompileError {
        text: err.text.map(|t| t.trim_end().to_string()),
        ..err
    }))
}

/// The grading's private directory; removed at the end unless `keep` (for debugging).
pub struct WorkDir {
    pub path: std::path::PathBuf,
    _guard: Option<tempfile::TempDir>,
}

impl WorkDir {
    /// Left on disk after the grading (`--keep`).
    pub fn kept(&self) -> bool {
        self._guard.is_none()
    }
}

pub fn work_dir(keep: bool) -> Result<WorkDir> {
    // Named after this process, so that what a killed grader leaves is found and removed.
    let dir = tempfile::Builder::new()
        .prefix(&crate::sandbox::reaper::folder_prefix(keep))
        .tempdir()
        .ctx(|| "creating a work directory")?;
    Ok(if keep {
        WorkDir {
            path: dir.keep(),
            _guard: None,
        }
    } else {
        WorkDir {
            path: dir.path().to_path_buf(),
            _guard: Some(dir),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compiling_file_gets_bytecode_an_import_uses_without_the_source() {
        let python = crate::python::find(None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("m.py");
        std::fs::write(&src, "X = 41 + 1\n").unwrap();
        let pyc = dir.path().join("m.pyc");
        let Compiled::Ok(Some(b)) = compile(&python, &src, Some(&pyc)).unwrap() else {
            panic!("no bytecode");
        };
        // Beside a different source of the same name the bytecode wins: an import that finds
        // it compiles nothing.
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("__pycache__")).unwrap();
        std::fs::write(ws.join("m.py"), "X = 0\n").unwrap();
        std::fs::copy(&b.path, ws.join(format!("__pycache__/m.{}.pyc", b.tag))).unwrap();
        let out = Command::new(&python.exe)
            .args([
                "-B",
                "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); import m; print(m.X)",
            ])
            .arg(&ws)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");

        std::fs::write(&src, "def f(:\n").unwrap();
        match compile(&python, &src, None).unwrap() {
            Compiled::Error(e) => assert_eq!(e.line, 1),
            other => panic!("expected a compile error, got {other:?}"),
        }
    }
}
