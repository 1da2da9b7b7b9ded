//! The exercise's `judge.py`, run by the trusted host in a separate, long-lived process
//! (one interpreter per grading, not per trial).

use crate::error::{Error, IoContext, Result};
use serde::Deserialize;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub const HOST_SOURCE: &str = include_str!("host.py");

#[derive(Debug, Clone, Deserialize)]
pub struct Problem {
    pub verdict: String,
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub es: String,
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    problems: Vec<Problem>,
    #[serde(default)]
    error: Option<String>,
}

pub struct JudgeHost {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl JudgeHost {
    pub fn start(python: &Path, host: &Path, judge: &Path) -> Result<JudgeHost> {
        let mut child = Command::new(python)
            .args(["-I", "-B"])
            .arg(host)
            .arg(judge)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ctx(|| format!("starting the judge {}", judge.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(JudgeHost {
            child,
            stdin,
            stdout,
        })
    }

    pub fn check(&mut self, request: &serde_json::Value) -> Result<Vec<Problem>> {
        let broken = |what: String| Error::Internal(format!("exercise judge: {what}"));
        // One write: formatting straight into the pipe costs a syscall per fragment.
        let mut line = request.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|_| self.stdin.flush())
            .map_err(|e| broken(e.to_string()))?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| broken(e.to_string()))?;
        if line.is_empty() {
            return Err(broken("the judge process exited".into()));
        }
        let reply: Reply = serde_json::from_str(&line).map_err(|e| broken(e.to_string()))?;
        match reply.error {
            Some(e) => Err(broken(e)),
            None => Ok(reply.problems),
        }
    }
}

impl Drop for JudgeHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
