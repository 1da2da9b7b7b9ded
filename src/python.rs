//! Finding the Python interpreter once, resolved past version-manager shims, and checking
//! that it can run the exercises: 3.9 or newer, with working `multiprocessing` semaphores.

use crate::error::{Error, Result};
use crate::exercise::StartMethod;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Serialize)]
pub struct Python {
    /// The real interpreter (`sys.executable`), not a shim.
    pub exe: PathBuf,
    pub version: String,
    /// The start methods this platform offers (`fork` is missing on Windows).
    pub methods: Vec<StartMethod>,
    /// Its installation (prefixes, standard library, site folders): what a sandboxed trial
    /// must be able to read.
    #[serde(skip)]
    pub dirs: Vec<PathBuf>,
}

/// Prints what `parse` reads. The version comes first so that an old Python still says which
/// it is; the `Lock()` checks semaphores (an import alone succeeds without `/dev/shm`).
const PROBE: &str = r#"
import sys
print(sys.executable)
print('%d.%d.%d' % tuple(sys.version_info[:3]))
sys.stdout.flush()
if sys.version_info < (3, 9):
    sys.exit(0)
try:
    import multiprocessing
    multiprocessing.Lock()
except BaseException as e:
    print('semaphores: %s: %s' % (type(e).__name__, e))
    sys.exit(0)
print('methods: ' + ','.join(multiprocessing.get_all_start_methods()))
import os
dirs = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
        os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable))]
dirs += [p for p in sys.path if os.path.isabs(p) and os.path.isdir(p)]
print('dirs: ' + '\0'.join(sorted(set(dirs))))
"#;

const HOW: &str = "install Python 3.9 or newer (python.org, or your system's package manager) \
                   or point --python / CARRERA_PYTHON at one";

/// `explicit` (from `--python` or `CARRERA_PYTHON`), else `python3`, else `python`, else
/// `python3.N` from the newest down: a system whose `python3` is too old often has a newer
/// one installed beside it.
pub fn find(explicit: Option<&Path>) -> Result<Python> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => ["python3", "python"]
            .into_iter()
            .map(String::from)
            .chain(
                (MIN_MINOR..=NEWEST_MINOR)
                    .rev()
                    .map(|m| format!("python3.{m}")),
            )
            .map(PathBuf::from)
            .collect(),
    };
    let mut why = Vec::new();
    for c in &candidates {
        match probe(c) {
            Ok(p) => return Ok(p),
            Err(reason) => why.push(reason),
        }
    }
    // Only the interpreters that exist are worth a word.
    why.retain(|w| !w.ends_with(NOT_FOUND));
    let why = if why.is_empty() && explicit.is_none() {
        format!("no Python found: none of python3, python, python3.{NEWEST_MINOR} ... python3.{MIN_MINOR} is on the PATH")
    } else if why.is_empty() {
        format!("{}: {NOT_FOUND}", candidates[0].display())
    } else {
        why.join("; ")
    };
    Err(Error::Python(format!("{why} ({HOW})")))
}

const MIN_MINOR: u32 = 9;
/// The newest `python3.N` looked for by name.
const NEWEST_MINOR: u32 = 15;

const NOT_FOUND: &str = "not found";

fn probe(c: &Path) -> Result<Python, String> {
    let name = c.display();
    let out = match Command::new(c).args(["-I", "-c", PROBE]).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{name}: {NOT_FOUND}"))
        }
        Err(e) => return Err(format!("cannot run {name}: {e}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().rfind(|l| !l.trim().is_empty());
        return Err(format!(
            "{name} is not a working Python: {}",
            last.unwrap_or("it failed with no message")
        ));
    }
    parse(c, &text)
}

fn parse(c: &Path, text: &str) -> Result<Python, String> {
    let name = c.display();
    let mut lines = text.lines().map(str::trim);
    let exe = lines.next().filter(|l| !l.is_empty());
    let version = lines.next().unwrap_or_default().to_string();
    let parts: Vec<u32> = version.split('.').filter_map(|p| p.parse().ok()).collect();
    if parts.len() != 3 {
        return Err(format!("{name} did not say which Python it is"));
    }
    if (parts[0], parts[1]) < (3, 9) {
        return Err(format!(
            "{name} is Python {version}; carrera needs Python 3.9 or newer"
        ));
    }
    let rest = lines.next().unwrap_or_default();
    if let Some(e) = rest.strip_prefix("semaphores: ") {
        return Err(format!(
            "{name} (Python {version}) cannot create multiprocessing locks ({e}); \
             on Linux, /dev/shm must be mounted and writable"
        ));
    }
    let Some(methods) = rest.strip_prefix("methods: ") else {
        return Err(format!("{name} did not finish carrera's check"));
    };
    let methods: Vec<StartMethod> = methods.split(',').filter_map(StartMethod::parse).collect();
    if methods.is_empty() {
        return Err(format!("{name} offers no multiprocessing start method"));
    }
    let dirs = lines
        .next()
        .and_then(|l| l.strip_prefix("dirs: "))
        .map(|d| {
            d.split('\0')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    Ok(Python {
        exe: exe.map_or_else(|| c.to_path_buf(), PathBuf::from),
        version,
        methods,
        dirs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Python, String> {
        parse(Path::new("py"), text)
    }

    #[test]
    fn reads_a_good_interpreter() {
        let p = parsed(
            "/usr/bin/python3.11\n3.11.7\nmethods: fork,spawn,forkserver\ndirs: /usr\0/opt/py\n",
        )
        .unwrap();
        assert_eq!(p.exe, PathBuf::from("/usr/bin/python3.11"));
        assert_eq!(p.dirs, [PathBuf::from("/usr"), PathBuf::from("/opt/py")]);
        assert_eq!(p.version, "3.11.7");
        assert_eq!(
            p.methods,
            [
                StartMethod::Fork,
                StartMethod::Spawn,
                StartMethod::Forkserver
            ]
        );
    }

    #[test]
    fn old_and_broken_interpreters_say_why() {
        let old = parsed("/usr/bin/python3.8\n3.8.10\n").unwrap_err();
        assert!(
            old.contains("is Python 3.8.10; carrera needs Python 3.9"),
            "{old}"
        );
        let sem = parsed("/x\n3.12.1\nsemaphores: ImportError: no sem_open\n").unwrap_err();
        assert!(sem.contains("cannot create multiprocessing locks (ImportError: no sem_open)"));
        let cut = parsed("/x\n3.12.1\n").unwrap_err();
        assert!(cut.contains("did not finish"), "{cut}");
        assert!(parsed("").unwrap_err().contains("did not say which Python"));
    }
}
