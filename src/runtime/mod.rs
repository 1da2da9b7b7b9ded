//! The Python runtime (real `.py` files under `src/runtime/py/`), embedded in the binary and
//! written to a private directory for each grading.

use crate::error::{IoContext, Result};
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

static RUNTIME: Dir = include_dir!("$CARGO_MANIFEST_DIR/src/runtime/py");

/// Writes the runtime (without its tests) and the judge host under `dir`.
pub fn install(dir: &Path) -> Result<RuntimeDir> {
    let root = dir.join("runtime");
    std::fs::create_dir_all(&root).ctx(|| format!("creating {}", root.display()))?;
    let site = RUNTIME
        .get_file("sitecustomize.py")
        .expect("embedded runtime file");
    write(&root.join("sitecustomize.py"), site.contents())?;
    let pkg = RUNTIME
        .get_dir("carrera_rt")
        .expect("embedded runtime package");
    for f in pkg.files() {
        write(&root.join(f.path()), f.contents())?;
    }
    let host = dir.join("judge_host.py");
    write(&host, crate::judge::HOST_SOURCE.as_bytes())?;
    Ok(RuntimeDir { root, host })
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, bytes).ctx(|| format!("writing {}", path.display()))
}

pub struct RuntimeDir {
    /// Goes on the trial's PYTHONPATH.
    pub root: PathBuf,
    /// The trusted judge host script.
    pub host: PathBuf,
}
