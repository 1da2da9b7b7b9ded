//! carrera: a grader for Python `multiprocessing` exercises.
//!
//! The pipeline, one module per step:
//! `prepare` → `trial` (runs in `sandbox`, with the Python `runtime`) → `observe` → `judge`
//! → `classify` → `score` (with a `picture` of one trial) → `report`. `grade` wires them together; `check` grades the
//! solutions that ship with the exercises.

pub mod batch;
pub mod check;
pub mod classify;
pub mod cli;
pub mod error;
pub mod exercise;
pub mod explain;
pub mod grade;
pub mod i18n;
pub mod init;
pub mod judge;
pub mod observe;
pub mod output;
pub mod package;
pub mod picture;
pub mod prepare;
pub mod program;
pub mod python;
pub mod question;
pub mod report;
pub mod runtime;
pub mod sandbox;
pub mod score;
pub mod speedup;
pub mod submission;
pub mod trial;
pub mod verdict;
