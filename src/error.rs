//! Typed errors. Every one of them means exit code 2: the grader could not do its job,
//! which is never the student's fault and never a verdict.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line input: unknown exercise, missing file, not a Python file.
    #[error("{0}")]
    Usage(String),
    /// A malformed exercise definition; names the file (and line/key when known).
    #[error("{}: {msg}", file.display())]
    Config { file: PathBuf, msg: String },
    /// No usable Python interpreter.
    #[error("{0}")]
    Python(String),
    /// Something inside carrera went wrong.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Attach a context to io errors, as in `fs::read(p).ctx(|| format!("reading {p}"))`.
pub trait IoContext<T> {
    fn ctx<S: Into<String>>(self, context: impl FnOnce() -> S) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx<S: Into<String>>(self, context: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| Error::io(context(), e))
    }
}
