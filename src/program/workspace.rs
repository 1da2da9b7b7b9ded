//! One run's folders: a clean copy of the submission (committed outputs deleted, links not
//! followed), a private TMPDIR and HOME, the runtime's files, and copies of the output taken
//! while the program runs.

use crate::error::{Error, IoContext, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

/// A submission larger than this is refused, not copied.
const MAX_BYTES: u64 = 64 << 20;
const MAX_ENTRIES: usize = 5000;
/// Copies kept of the output during one run.
const MAX_SNAPSHOTS: usize = 1000;
/// How deep the output is looked for in the copy.
const MAX_DEPTH: usize = 4;

pub struct Workspace {
    /// Holds everything below; the sandbox may write only here.
    pub root: PathBuf,
    /// The copy of the submission, the program's working directory.
    pub work: PathBuf,
    pub tmp: PathBuf,
    pub home: PathBuf,
    /// The runtime's files: `trace/`, `dumps/`.
    pub meta: PathBuf,
    pub snapshots: PathBuf,
}

impl Workspace {
    /// Copies `sub` into `root/work` and deletes the files named in `outputs` from the copy.
    /// Returns the workspace and the committed outputs it deleted (relative paths).
    pub fn prepare(
        sub: &Path,
        root: &Path,
        outputs: &[String],
    ) -> Result<(Workspace, Vec<String>)> {
        let ws = Workspace {
            root: root.to_path_buf(),
            work: root.join("work"),
            tmp: root.join("tmp"),
            home: root.join("home"),
            meta: root.join("meta"),
            snapshots: root.join("snapshots"),
        };
        for d in [
            &ws.tmp,
            &ws.home,
            &ws.meta.join("trace"),
            &ws.meta.join("dumps"),
            &ws.snapshots,
        ] {
            std::fs::create_dir_all(d).ctx(|| format!("creating {}", d.display()))?;
        }
        let mut budget = (MAX_BYTES, MAX_ENTRIES);
        copy_tree(sub, &ws.work, &mut budget)?;
        let mut deleted = Vec::new();
        delete_named(&ws.work, &ws.work, outputs, &mut deleted);
        deleted.sort();
        Ok((ws, deleted))
    }

    /// The shallowest regular file called `name` in the copy, then in TMPDIR.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        [&self.work, &self.tmp]
            .into_iter()
            .find_map(|top| find_under(top, name))
    }

    /// Copies the output named `name` into `snapshots/` every `every` while `running` holds,
    /// whenever it changed (size or modification time). Runs on the calling thread.
    pub fn snapshot_while(&self, name: &str, every: Duration, running: &AtomicBool) -> usize {
        let mut last: Option<(u64, SystemTime)> = None;
        let mut n = 0;
        while running.load(Ordering::Relaxed) && n < MAX_SNAPSHOTS {
            std::thread::sleep(every);
            let Some(p) = self.find(name) else { continue };
            let Ok(m) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            let stamp = (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH));
            if last != Some(stamp) && m.len() <= 16 << 20 {
                last = Some(stamp);
                n += 1;
                let _ = std::fs::copy(&p, self.snapshots.join(format!("{n:04}.json")));
            }
        }
        n
    }
}

fn copy_tree(from: &Path, to: &Path, budget: &mut (u64, usize)) -> Result<()> {
    std::fs::create_dir_all(to).ctx(|| format!("creating {}", to.display()))?;
    let rd = std::fs::read_dir(from).ctx(|| format!("reading {}", from.display()))?;
    for entry in rd {
        let entry = entry.ctx(|| format!("reading {}", from.display()))?;
        let name = entry.file_name();
        if name == "__pycache__" || name == ".git" {
            continue;
        }
        let t = entry.file_type().ctx(|| "reading a file type")?;
        budget.1 = budget.1.checked_sub(1).ok_or_else(too_big)?;
        let (src, dst) = (entry.path(), to.join(&name));
        if t.is_dir() {
            copy_tree(&src, &dst, budget)?;
        } else if t.is_file() {
            let len = entry.metadata().map_or(0, |m| m.len());
            budget.0 = budget.0.checked_sub(len).ok_or_else(too_big)?;
            std::fs::copy(&src, &dst).ctx(|| format!("copying {}", src.display()))?;
        } // links, FIFOs and devices are not copied: the run sees only the student's files
    }
    Ok(())
}

fn too_big() -> Error {
    Error::Usage(format!(
        "the submission is larger than {} MiB or {MAX_ENTRIES} files: hand in the code only",
        MAX_BYTES >> 20
    ))
}

fn delete_named(top: &Path, dir: &Path, names: &[String], deleted: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => delete_named(top, &p, names, deleted),
            Ok(t)
                if t.is_file()
                    && names.iter().any(|n| e.file_name() == n.as_str())
                    && std::fs::remove_file(&p).is_ok() =>
            {
                let rel = p.strip_prefix(top).unwrap_or(&p);
                deleted.push(rel.display().to_string());
            }
            _ => {}
        }
    }
}

/// The shallowest regular file called `name` under `dir` (links not followed).
pub fn find_under(dir: &Path, name: &str) -> Option<PathBuf> {
    shallowest(dir, name, 0).map(|(_, p)| p)
}

/// (depth, path) of the shallowest regular file `name` under `dir`, links not followed.
fn shallowest(dir: &Path, name: &str, depth: usize) -> Option<(usize, PathBuf)> {
    let here = dir.join(name);
    if std::fs::symlink_metadata(&here).is_ok_and(|m| m.is_file()) {
        return Some((depth, here));
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.file_name() != "__pycache__")
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs
        .iter()
        .filter_map(|d| shallowest(d, name, depth + 1))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_without_outputs_or_links_and_finds_the_output_below() {
        let sub = tempfile::tempdir().unwrap();
        let s = sub.path();
        std::fs::create_dir_all(s.join("salida")).unwrap();
        std::fs::write(s.join("main.py"), "print(1)").unwrap();
        std::fs::write(s.join("salida/blockchain.json"), "[]").unwrap();
        std::fs::write(s.join("reporte.txt"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", s.join("link")).unwrap();
        let root = tempfile::tempdir().unwrap();
        let outputs = ["blockchain.json".to_string(), "reporte.txt".to_string()];
        let (ws, deleted) = Workspace::prepare(s, root.path(), &outputs).unwrap();
        assert_eq!(deleted, ["reporte.txt", "salida/blockchain.json"]);
        assert!(ws.work.join("main.py").is_file());
        assert!(!ws.work.join("link").exists());
        assert_eq!(ws.find("blockchain.json"), None);
        std::fs::write(ws.work.join("salida/blockchain.json"), "[1]").unwrap();
        assert_eq!(
            ws.find("blockchain.json"),
            Some(ws.work.join("salida/blockchain.json"))
        );
    }
}
