//! Landlock, which needs no privileges: the tree may read the system, Python and the files
//! it was given, write only its own workspace, connect to no TCP port, and signal or reach
//! (abstract sockets) nothing outside itself, which protects the grader. Built before the
//! fork, enforced by the leader on itself between fork and exec, inherited by every child.

use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreated,
    RulesetCreatedAttr, RulesetError, Scope, ABI,
};
use std::path::PathBuf;

/// What one tree may touch besides the system.
#[derive(Debug, Clone, Default)]
pub struct FencePaths {
    /// Read (and execute): Python's installation, the runtime, the exercise's files.
    pub read: Vec<PathBuf>,
    /// Read and write: the workspace and the runtime's files of this grading.
    pub write: Vec<PathBuf>,
}

/// The newest Landlock version whose rights we ask for. On older kernels what they know is
/// enforced (best effort), and the level reports it.
const TARGET: ABI = ABI::V6;

/// Read-only for every tree: programs, libraries, configuration and /proc. Not all of /dev:
/// that would make /dev/shm, where other trials' files are, listable.
const SYSTEM: &[&str] = &[
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys",
];
/// The devices a program may use.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/urandom",
    "/dev/random",
];

pub fn build(paths: &FencePaths) -> Result<RulesetCreated, RulesetError> {
    let all = AccessFs::from_all(TARGET);
    let read = AccessFs::from_read(TARGET);
    // multiprocessing's semaphores and shared-memory arenas are files in /dev/shm, opened by
    // name: creating and removing them needs no listing of what others put there.
    let shm = AccessFs::ReadFile
        | AccessFs::WriteFile
        | AccessFs::MakeReg
        | AccessFs::RemoveFile
        | AccessFs::Truncate;
    Ruleset::default()
        .handle_access(all)?
        .handle_access(AccessNet::from_all(TARGET))?
        .scope(Scope::Signal | Scope::AbstractUnixSocket)?
        .create()?
        .add_rules(path_beneath_rules(SYSTEM, read))?
        .add_rules(path_beneath_rules(&paths.read, read))?
        .add_rules(path_beneath_rules(DEVICES, all))?
        .add_rules(path_beneath_rules(["/dev/shm"], shm))?
        .add_rules(path_beneath_rules(&paths.write, all))
}
