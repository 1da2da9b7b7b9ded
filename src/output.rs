//! Files carrera writes for the user (reports, the Gradescope zip): whole or not at all, and
//! with the permissions of any new file.

use crate::error::{Error, IoContext, Result};
use std::io::Write;
use std::path::Path;

/// A temporary file next to `target`, to be persisted over it: 0666 less the umask, as any
/// new file (tempfile's default, 0600, would stay on the result).
pub fn temp_beside(target: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .ctx(|| format!("writing {}", target.display()))
}

/// Writes next to the target and renames, so a failure never leaves half a file.
pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(text.as_bytes())
        .ctx(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e.error))?;
    Ok(())
}
