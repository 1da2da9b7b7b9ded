//! A trial's perturbation profile: start method, noise, start gate and CPU set, drawn from
//! the grading seed. Every knob changes timing only, never the program's meaning.

use crate::exercise::StartMethod;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Noise {
    None,
    Yield,
    Sleep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CpuSet {
    All,
    /// Everything pinned to one CPU: the scheduler must interleave.
    One,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Perturbation {
    pub method: StartMethod,
    pub noise: Noise,
    /// Probability of noise at each hook point.
    pub p: f64,
    pub gate_ms: u32,
    pub cpus: CpuSet,
    /// Seeds the runtime's noise RNG.
    pub seed: u64,
}

/// Noise settings a stress trial draws from; each was measured to keep correct code correct.
const NOISE_CHOICES: [(Noise, f64); 5] = [
    (Noise::Yield, 1.0),
    (Noise::Yield, 0.5),
    (Noise::Sleep, 0.1),
    (Noise::Sleep, 0.5),
    (Noise::None, 0.0),
];

impl Perturbation {
    /// No perturbation at all, under `method`.
    pub fn quiet(method: StartMethod) -> Perturbation {
        Perturbation {
            method,
            noise: Noise::None,
            p: 0.0,
            gate_ms: 0,
            cpus: CpuSet::All,
            seed: 0,
        }
    }

    /// The profile that exposed races most reliably in our measurements: gate + yield p=1.
    pub fn strongest(method: StartMethod, seed: u64) -> Perturbation {
        Perturbation {
            method,
            noise: Noise::Yield,
            p: 1.0,
            gate_ms: gate_choices(method)[1],
            cpus: CpuSet::All,
            seed,
        }
    }

    /// Strong fork profiles of different kinds, for telling a portability failure from a bug
    /// that fork shows too: races differ in which kind of noise exposes them.
    pub fn fork_cross_checks(seed: u64, n: usize) -> Vec<Perturbation> {
        let strong = Perturbation::strongest(StartMethod::Fork, seed);
        let kinds = [
            strong.clone(),
            Perturbation {
                cpus: CpuSet::One,
                ..strong.clone()
            },
            Perturbation {
                noise: Noise::Sleep,
                p: 0.5,
                ..strong
            },
        ];
        (0..n)
            .map(|i| Perturbation {
                seed: mix(seed, i as u64),
                ..kinds[i % kinds.len()].clone()
            })
            .collect()
    }

    /// The profile of stress trial `index`. The first trials cover every method once; after
    /// that seven in eight are `fork`, the cheapest to start (a spawned child is a whole new
    /// interpreter) and as good at exposing races, and the others share the rest: what breaks
    /// only under spawn breaks on its first run.
    pub fn draw(seed: u64, index: u64, methods: &[StartMethod]) -> Perturbation {
        let trial_seed = mix(seed, index);
        let mut rng = fastrand::Rng::with_seed(trial_seed);
        let method = method_for(index, methods);
        let (noise, p) = NOISE_CHOICES[rng.usize(..NOISE_CHOICES.len())];
        let gates = gate_choices(method);
        // The gate is what makes short workers overlap: use it in most trials.
        let gate_ms = if rng.f64() < 0.8 {
            gates[1 + rng.usize(..2)]
        } else {
            0
        };
        let cpus = if rng.f64() < 0.3 {
            CpuSet::One
        } else {
            CpuSet::All
        };
        Perturbation {
            method,
            noise,
            p,
            gate_ms,
            cpus,
            seed: trial_seed,
        }
    }

    /// `fork,yield,p=0.5,gate=20,cpus=all,seed=123`, accepted back by `parse`.
    pub fn parse(s: &str) -> Result<Perturbation, String> {
        let mut parts = s.split(',').map(str::trim);
        let method = parts
            .next()
            .and_then(StartMethod::parse)
            .ok_or_else(|| format!("profile `{s}`: must start with fork, spawn or forkserver"))?;
        let mut out = Perturbation::quiet(method);
        for part in parts {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let bad = || format!("profile `{s}`: bad value in `{part}`");
            match k {
                "none" => out.noise = Noise::None,
                "yield" => out.noise = Noise::Yield,
                "sleep" => out.noise = Noise::Sleep,
                "p" => {
                    out.p = v
                        .parse()
                        .ok()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .ok_or_else(bad)?
                }
                "gate" => out.gate_ms = v.parse().map_err(|_| bad())?,
                "cpus" => {
                    out.cpus = match v {
                        "all" => CpuSet::All,
                        "1" | "one" => CpuSet::One,
                        _ => return Err(bad()),
                    }
                }
                "seed" => out.seed = v.parse().map_err(|_| bad())?,
                _ => return Err(format!("profile `{s}`: unknown part `{part}`")),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Perturbation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noise = match self.noise {
            Noise::None => "none",
            Noise::Yield => "yield",
            Noise::Sleep => "sleep",
        };
        let cpus = match self.cpus {
            CpuSet::All => "all",
            CpuSet::One => "1",
        };
        write!(
            f,
            "{},{noise},p={},gate={},cpus={cpus},seed={}",
            self.method.as_str(),
            self.p,
            self.gate_ms,
            self.seed
        )
    }
}

fn method_for(index: u64, methods: &[StartMethod]) -> StartMethod {
    let n = methods.len() as u64;
    let others: Vec<StartMethod> = methods
        .iter()
        .copied()
        .filter(|m| *m != StartMethod::Fork)
        .collect();
    if index < n || others.len() == methods.len() {
        return methods[(index % n) as usize];
    }
    let k = index - n;
    if others.is_empty() || k % 8 != 7 {
        StartMethod::Fork
    } else {
        others[((k / 8) % others.len() as u64) as usize]
    }
}

/// Spawned children boot slowly (a fresh interpreter each), so they need a wider gate to line up.
fn gate_choices(method: StartMethod) -> [u32; 3] {
    match method {
        StartMethod::Fork => [0, 20, 50],
        StartMethod::Spawn | StartMethod::Forkserver => [0, 100, 200],
    }
}

/// splitmix64 of the pair, so neighbouring indices get unrelated profiles.
pub fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_string_round_trips() {
        let methods = [
            StartMethod::Fork,
            StartMethod::Spawn,
            StartMethod::Forkserver,
        ];
        for i in 0..50 {
            let p = Perturbation::draw(7, i, &methods);
            assert_eq!(Perturbation::parse(&p.to_string()).unwrap(), p);
        }
    }

    #[test]
    fn draws_cover_every_method_and_are_reproducible() {
        let methods = [
            StartMethod::Fork,
            StartMethod::Spawn,
            StartMethod::Forkserver,
        ];
        let a: Vec<_> = (0..3)
            .map(|i| Perturbation::draw(1, i, &methods).method)
            .collect();
        assert_eq!(a, methods);
        let later: Vec<_> = (3..51)
            .map(|i| Perturbation::draw(1, i, &methods).method)
            .collect();
        let count = |m| later.iter().filter(|&&x| x == m).count();
        assert_eq!(count(StartMethod::Fork), 42);
        assert_eq!(count(StartMethod::Spawn), 3);
        assert_eq!(count(StartMethod::Forkserver), 3);
        let no_fork = [StartMethod::Spawn, StartMethod::Forkserver];
        assert_eq!(
            Perturbation::draw(1, 5, &no_fork).method,
            StartMethod::Forkserver
        );
        assert_eq!(
            Perturbation::draw(9, 4, &methods),
            Perturbation::draw(9, 4, &methods)
        );
        assert_ne!(
            Perturbation::draw(9, 4, &methods),
            Perturbation::draw(10, 4, &methods)
        );
    }

    #[test]
    fn bad_profiles_are_rejected() {
        assert!(Perturbation::parse("threads,yield").is_err());
        assert!(Perturbation::parse("fork,p=2").is_err());
        assert!(Perturbation::parse("fork,wobble").is_err());
    }
}
