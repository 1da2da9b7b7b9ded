//! Finding the submissions in a class folder, and the file to grade in each.
//!
//! Every entry of the folder is one submission, named by its file or folder name, except
//! hidden entries (`.git`, `.DS_Store`) and `__MACOSX`. A `.py` file is graded as it is.
//! In a folder, the entry file is:
//! 1. the file named as the exercise asks (`counter.py`), at any depth, if there is exactly one;
//! 2. otherwise the only `.py` file in the folder, at any depth.
//!
//! Several candidates, none, or anything else make that one submission invalid, with the
//! reason; the batch goes on. Hidden folders, `__pycache__` and `__MACOSX` are not searched.

use super::name::safe_dir;
use crate::error::{IoContext, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Entry {
    /// The file or folder name (lossy UTF-8).
    pub name: String,
    /// Its folder in OUTDIR.
    pub dir: String,
    /// The file to grade, or why there is none.
    pub source: Result<PathBuf, String>,
}

/// The submissions of `class`, ordered by name.
pub fn entries(class: &Path, wanted: &str) -> Result<Vec<Entry>> {
    let rd = std::fs::read_dir(class).ctx(|| format!("reading {}", class.display()))?;
    let mut out = Vec::new();
    for e in rd {
        let e = e.ctx(|| format!("reading {}", class.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if skipped(&name) {
            continue;
        }
        let path = e.path();
        let source = if path.is_dir() {
            entry_file(&path, wanted)
        } else if path.extension().is_some_and(|x| x == "py") && path.is_file() {
            Ok(path)
        } else {
            Err(format!("`{name}` is neither a .py file nor a folder"))
        };
        out.push(Entry {
            dir: safe_dir(&name),
            name,
            source,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.dir.cmp(&b.dir)));
    Ok(out)
}

/// A class of whole programs: one folder per student; anything else is not a submission.
pub fn folders(class: &Path) -> Result<Vec<Entry>> {
    let rd = std::fs::read_dir(class).ctx(|| format!("reading {}", class.display()))?;
    let mut out = Vec::new();
    for e in rd {
        let e = e.ctx(|| format!("reading {}", class.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if skipped(&name) {
            continue;
        }
        let path = e.path();
        let source = match e.file_type().is_ok_and(|t| t.is_dir()) {
            true => Ok(path),
            false => Err(format!(
                "`{name}` is not a folder: this exercise grades a whole program, one folder per student"
            )),
        };
        out.push(Entry {
            dir: safe_dir(&name),
            name,
            source,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.dir.cmp(&b.dir)));
    Ok(out)
}

fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == "__MACOSX" || name == "__pycache__"
}

/// The entry file of a submission folder (rules in the module comment).
pub fn entry_file(folder: &Path, wanted: &str) -> Result<PathBuf, String> {
    let mut py = Vec::new();
    walk(folder, 0, &mut py);
    py.sort();
    let named: Vec<&PathBuf> = py
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == wanted))
        .collect();
    let rel = |ps: &[&PathBuf]| {
        ps.iter()
            .map(|p| p.strip_prefix(folder).unwrap_or(p).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (named.as_slice(), py.as_slice()) {
        ([one], _) => Ok((*one).clone()),
        ([], [one]) => Ok(one.clone()),
        ([], []) => Err(format!("no .py file in the folder (expected {wanted})")),
        ([], _) => Err(format!(
            "ambiguous: several .py files and none named {wanted}: {}",
            rel(&py.iter().collect::<Vec<_>>())
        )),
        (several, _) => Err(format!(
            "ambiguous: several files named {wanted}: {}",
            rel(several)
        )),
    }
}

/// Collects `.py` files; depth-limited so a submitted virtualenv cannot make us crawl.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 4 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if skipped(&name) {
            continue;
        }
        // file_type() does not follow symlinks: a link out of the folder is not followed.
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), depth + 1, out);
        } else if ft.is_file() && name.ends_with(".py") {
            out.push(e.path());
        }
    }
}

/// A class exported as a zip: unpacked into a temporary folder, which is returned with the
/// folder to read (the zip's only top-level folder when it has one and nothing else). Paths
/// that would leave the folder, links, and archives over 1 GiB are refused.
pub fn unpack(zip_path: &Path) -> Result<(tempfile::TempDir, PathBuf)> {
    use crate::error::Error;
    let bad = |why: String| Error::Usage(format!("{}: {why}", zip_path.display()));
    let file = std::fs::File::open(zip_path).ctx(|| format!("reading {}", zip_path.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    let tmp = tempfile::Builder::new()
        .prefix("carrera-class-")
        .tempdir()
        .ctx(|| "creating a temporary directory")?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let Some(rel) = f.enclosed_name() else {
            return Err(bad(format!("unsafe path {:?} in the archive", f.name())));
        };
        if f.is_symlink() {
            continue;
        }
        let to = tmp.path().join(rel);
        if f.is_dir() {
            std::fs::create_dir_all(&to).ctx(|| format!("creating {}", to.display()))?;
            continue;
        }
        total += f.size();
        if total > 1 << 30 {
            return Err(bad("more than 1 GiB uncompressed".into()));
        }
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).ctx(|| format!("creating {}", p.display()))?;
        }
        let mut out = std::fs::File::create(&to).ctx(|| format!("writing {}", to.display()))?;
        std::io::copy(&mut f, &mut out).ctx(|| format!("unpacking {}", to.display()))?;
    }
    let top: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .ctx(|| "reading the unpacked archive")?
        .flatten()
        .filter(|e| !skipped(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    let class = match top.as_slice() {
        [one] if one.is_dir() => one.clone(),
        _ => tmp.path().to_path_buf(),
    };
    Ok((tmp, class))
}
