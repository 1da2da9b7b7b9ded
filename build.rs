//! Two jobs at build time:
//! - the exercises, solutions and Python runtime are embedded with include_dir, which cannot
//!   tell cargo about the files it reads: rebuild when any of them changes;
//! - record the git commit for `carrera --version` ("unknown" outside a git checkout, e.g.
//!   when building from an sdist).

use std::process::Command;

fn main() {
    for dir in [
        "exercises",
        "solutions",
        "src/runtime/py",
        "src/judge/host.py",
        "src/i18n",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
    let hash = Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CARRERA_GIT_HASH={hash}");
    // A new commit moves HEAD or the branch it points to.
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
