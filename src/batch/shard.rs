//! `--shard K/N`: the K-th of N deterministic subsets. Submissions sorted by name are dealt
//! round-robin, so shard sizes differ by at most one and every machine that sees the same
//! class folder picks the same subset.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based.
    pub k: usize,
    pub n: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard K/N with 1 <= K <= N");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// Whether the submission at `index` (in name order) belongs to this shard.
    pub fn has(&self, index: usize) -> bool {
        index % self.n == self.k - 1
    }

    /// How many of `total` submissions this shard holds.
    pub fn size(&self, total: usize) -> usize {
        (0..total).filter(|&i| self.has(i)).count()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_class() {
        for n in 1..5 {
            let shards: Vec<Shard> = (1..=n).map(|k| Shard { k, n }).collect();
            for i in 0..17 {
                assert_eq!(shards.iter().filter(|s| s.has(i)).count(), 1);
            }
            assert_eq!(shards.iter().map(|s| s.size(17)).sum::<usize>(), 17);
        }
    }

    #[test]
    fn parse_rejects_nonsense() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { k: 2, n: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
