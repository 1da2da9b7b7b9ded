//! Bounded capture of a pipe: keeps the head and the tail, counts what was cut.

use serde::Serialize;
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Captured {
    pub head: String,
    pub tail: String,
    pub total_bytes: u64,
    pub cut_bytes: u64,
}

impl Captured {
    pub fn text(&self) -> String {
        if self.cut_bytes == 0 {
            format!("{}{}", self.head, self.tail)
        } else {
            format!(
                "{}\n[... {} bytes cut ...]\n{}",
                self.head, self.cut_bytes, self.tail
            )
        }
    }
}

/// Reads `r` on a thread; the receiver yields the capture at EOF.
pub fn spawn_reader<R: Read + Send + 'static>(mut r: R, cap: usize) -> mpsc::Receiver<Captured> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let half = cap / 2;
        let mut head = Vec::new();
        let mut tail: std::collections::VecDeque<u8> = std::collections::VecDeque::new();
        let mut total = 0u64;
        let mut buf = [0u8; 8192];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n as u64;
                    let mut chunk = &buf[..n];
                    if head.len() < half {
                        let take = (half - head.len()).min(chunk.len());
                        head.extend_from_slice(&chunk[..take]);
                        chunk = &chunk[take..];
                    }
                    tail.extend(chunk);
                    while tail.len() > half {
                        tail.pop_front();
                    }
                }
            }
        }
        let kept = (head.len() + tail.len()) as u64;
        let _ = tx.send(Captured {
            head: String::from_utf8_lossy(&head).into_owned(),
            tail: String::from_utf8_lossy(&tail.make_contiguous()[..]).into_owned(),
            total_bytes: total,
            cut_bytes: total - kept,
        });
    });
    rx
}

/// Waits a bounded time for a reader: a descendant we could not kill must not hang us.
pub fn collect(rx: &mpsc::Receiver<Captured>, wait: Duration) -> Captured {
    rx.recv_timeout(wait).unwrap_or_else(|_| Captured {
        tail: "[output still held open by a process outside the tree]".into(),
        ..Captured::default()
    })
}
