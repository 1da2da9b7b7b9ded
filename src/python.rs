//! Finding the Python interpreter once, resolved past version-manager shims.

use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct Python {
    /// The real interpreter (`sys.executable`), not a shim.
    pub exe: PathBuf,
    pub version: String,
}

const PROBE: &str = "import sys, multiprocessing.synchronize; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3]); print(int(sys.version_info >= (3, 9)))";

/// `explicit` (from `--python` or `CARRERA_PYTHON`), else `python3`, else `python`.
pub fn find(explicit: Option<&Path>) -> Result<Python> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => vec!["python3".into(), "python".into()],
    };
    let mut last = String::from("no Python 3 interpreter found on PATH");
    for c in &candidates {
        match Command::new(c).args(["-I", "-c", PROBE]).output() {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                let mut lines = text.lines();
                let exe = lines.next().unwrap_or_default().trim().to_string();
                let version = lines.next().unwrap_or_default().trim().to_string();
                if lines.next() != Some("1") {
                    last = format!(
                        "{} is Python {version}; carrera needs Python 3.9 or newer",
                        c.display()
                    );
                    continue;
                }
                let exe = if exe.is_empty() {
                    c.clone()
                } else {
                    PathBuf::from(exe)
                };
                return Ok(Python { exe, version });
            }
            Ok(out) => {
                let err = String::from_utf8_lossy(&out.stderr);
                last = format!(
                    "{} cannot run multiprocessing: {}",
                    c.display(),
                    err.lines().last().unwrap_or("unknown error")
                );
            }
            Err(e) => last = format!("cannot run {}: {e}", c.display()),
        }
    }
    Err(Error::Python(format!(
        "{last} (install Python 3.9+ or point --python / CARRERA_PYTHON at one)"
    )))
}
