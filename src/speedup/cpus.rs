//! How many CPUs this process can really use: its affinity mask, capped by the cgroup's CPU
//! quota (a container given half a CPU still sees every core in its affinity mask).

use std::path::{Path, PathBuf};

pub fn available() -> usize {
    let affinity = crate::trial::available_cpus().len();
    match quota() {
        Some(q) => affinity.min((q.floor() as usize).max(1)),
        None => affinity,
    }
}

/// The tightest CPU quota (in CPUs) on the way from our cgroup to the root, if any.
fn quota() -> Option<f64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    own.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .and_then(|path| v2_quota(Path::new("/sys/fs/cgroup"), path))
        .or_else(v1_quota)
}

fn v2_quota(root: &Path, own: &str) -> Option<f64> {
    let mut dir: PathBuf = root.join(own.trim().trim_start_matches('/'));
    let mut best: Option<f64> = None;
    loop {
        if let Some(q) = std::fs::read_to_string(dir.join("cpu.max"))
            .ok()
            .and_then(|t| parse_v2(&t))
        {
            best = Some(best.map_or(q, |b| b.min(q)));
        }
        if dir == root || !dir.pop() || !dir.starts_with(root) {
            return best;
        }
    }
}

/// `cpu.max` holds "<quota> <period>" in microseconds, or "max <period>".
fn parse_v2(text: &str) -> Option<f64> {
    let mut it = text.split_whitespace();
    let quota: f64 = it.next()?.parse().ok()?;
    let period: f64 = it.next()?.parse().ok()?;
    (quota > 0.0 && period > 0.0).then(|| quota / period)
}

fn v1_quota() -> Option<f64> {
    let read = |f: &str| -> Option<f64> {
        std::fs::read_to_string(Path::new("/sys/fs/cgroup/cpu").join(f))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let (quota, period) = (read("cpu.cfs_quota_us")?, read("cpu.cfs_period_us")?);
    (quota > 0.0 && period > 0.0).then(|| quota / period)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_max_is_parsed_and_unlimited_is_none() {
        assert_eq!(parse_v2("50000 100000\n"), Some(0.5));
        assert_eq!(parse_v2("200000 100000"), Some(2.0));
        assert_eq!(parse_v2("max 100000\n"), None);
        assert_eq!(parse_v2(""), None);
    }

    #[test]
    fn the_tightest_quota_on_the_path_wins() {
        let root = tempfile::tempdir().unwrap();
        let leaf = root.path().join("a/b");
        std::fs::create_dir_all(&leaf).unwrap();
        std::fs::write(root.path().join("a/cpu.max"), "150000 100000").unwrap();
        std::fs::write(leaf.join("cpu.max"), "max 100000").unwrap();
        assert_eq!(v2_quota(root.path(), "/a/b"), Some(1.5));
        assert_eq!(v2_quota(root.path(), "/"), None);
    }

    #[test]
    fn at_least_one_cpu_is_available() {
        assert!(available() >= 1);
    }
}
