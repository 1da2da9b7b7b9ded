//! The student's submission: one Python source file, checked before anything runs.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Submission {
    pub path: PathBuf,
    /// How reports name the file: as the user gave it.
    pub shown: String,
    pub source: String,
}

impl Submission {
    pub fn open(path: &Path) -> Result<Submission> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::Usage(format!("cannot read submission {shown}: {e}")))?;
        if !meta.is_file() {
            return Err(Error::Usage(format!("submission {shown} is not a file")));
        }
        if path.extension().and_then(|e| e.to_str()) != Some("py") {
            return Err(Error::Usage(format!(
                "submission {shown} is not a Python file (expected a .py file)"
            )));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Usage(format!("cannot read submission {shown}: {e}")))?;
        if bytes.contains(&0) {
            return Err(Error::Usage(format!(
                "submission {shown} is not a Python file (it contains binary data)"
            )));
        }
        let source = String::from_utf8(bytes).map_err(|_| {
            Error::Usage(format!(
                "submission {shown} is not a Python source file (it is not UTF-8 text)"
            ))
        })?;
        Ok(Submission {
            path: path.to_path_buf(),
            shown,
            source,
        })
    }

    /// The source line `n` (1-based), trimmed, for reports.
    pub fn line(&self, n: u32) -> Option<&str> {
        self.source
            .lines()
            .nth(n.checked_sub(1)? as usize)
            .map(str::trim)
    }
}
