//! The exercise's `judge.py`, run by the trusted host in a separate, long-lived process
//! (one interpreter per grading, not per trial).

use crate::error::{Error, IoContext, Result};
use serde::{Deserialize, Serialize};
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
    /// Whether the judge reads trace events (its first line), once read.
    events: Option<bool>,
}

/// The host's first line, once the judge is loaded.
#[derive(Deserialize)]
struct Hello {
    #[serde(default)]
    events: Option<bool>,
    #[serde(default)]
    error: Option<String>,
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
            events: None,
        })
    }

    /// Whether `check`'s observations must carry trace events: they do unless the judge says
    /// `EVENTS = False`. Read when first needed, so starting the host never waits for it.
    pub fn wants_events(&mut self) -> Result<bool> {
        if let Some(e) = self.events {
            return Ok(e);
        }
        let line = self.read_line()?;
        let hello: Hello = serde_json::from_str(&line).map_err(|e| broken(e.to_string()))?;
        if let Some(e) = hello.error {
            return Err(broken(e));
        }
        let events = hello.events.unwrap_or(true);
        self.events = Some(events);
        Ok(events)
    }

    pub fn check(&mut self, request: &impl Serialize) -> Result<Vec<Problem>> {
        // The host's hello comes before any reply.
        self.wants_events()?;
        // One write: formatting straight into the pipe costs a syscall per fragment.
        let mut line = serde_json::to_string(request).map_err(|e| broken(e.to_string()))?;
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|_| self.stdin.flush())
            .map_err(|e| broken(e.to_string()))?;
        let line = self.read_line()?;
        let reply: Reply = serde_json::from_str(&line).map_err(|e| broken(e.to_string()))?;
        match reply.error {
            Some(e) => Err(broken(e)),
            None => Ok(reply.problems),
        }
    }

    fn read_line(&mut self) -> Result<String> {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| broken(e.to_string()))?;
        if line.is_empty() {
            return Err(broken("the judge process exited".into()));
        }
        Ok(line)
    }
}

fn broken(what: String) -> Error {
    Error::Internal(format!("exercise judge: {what}"))
}

impl Drop for JudgeHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
