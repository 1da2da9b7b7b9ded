//! Preparing a grading: the private work directory, the runtime, and `py_compile`-style
//! syntax checking (compiling runs none of the student's code).

use crate::error::{Error, IoContext, Result};
use crate::python::Python;
use serde::{Deserialize, Serialize};
use std::path::Path;
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
    print(json.dumps({"ok": True}))
except (SyntaxError, ValueError) as e:
    print(json.dumps({"ok": False, "line": getattr(e, "lineno", None) or 0,
        "column": getattr(e, "offset", None) or 0,
        "message": getattr(e, "msg", None) or str(e), "text": getattr(e, "text", None)}))
"#;

/// `Ok(None)` when the file compiles.
pub fn compile(python: &Python, file: &Path) -> Result<Option<CompileError>> {
    let mut child = Command::new(&python.exe)
        .args(["-I", "-c", COMPILE])
        .arg(file)
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
        return Ok(None);
    }
    let err: CompileError = serde_json::from_value(v)
        .map_err(|e| Error::Internal(format!("syntax check output: {e}")))?;
    Ok(Some(CompileError {
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
