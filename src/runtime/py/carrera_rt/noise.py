"""Timing noise and the start gate. Both only delay the caller; they never change a result."""
import math
import os
import random

# Real time even under dilation: noise is a real-time perturbation, and the gate's instant is
# compared across processes with the real clock.
from .clock import real_sleep, real_time

_NONE, _YIELD, _SLEEP = 0, 1, 2

_mode = _NONE
_p = 0.0
_max_s = 0.0
_seed = 0
_rng = random.Random(0)
_yield = getattr(os, "sched_yield", None) or (lambda: real_sleep(0))


def init(profile):
    global _mode, _p, _max_s, _seed
    _mode = {"none": _NONE, "yield": _YIELD, "sleep": _SLEEP}[profile.noise]
    _p = float(profile.p)
    _max_s = float(profile.sleep_us) / 1e6
    _seed = int(profile.seed)
    reseed()


def reseed():
    """Mix the pid into the seed: forked children must not replay the parent's draws, and a
    recorded seed still reproduces each process's sequence given its pid."""
    global _rng
    _rng = random.Random(_seed ^ os.getpid())


def maybe_noise():
    """One hook point: with probability p, yield the CPU or sleep U(0, sleep_us)."""
    try:
        if _mode == _NONE:
            return
        rng = _rng
        if rng.random() >= _p:
            return
        if _mode == _YIELD:
            _yield()
        else:
            real_sleep(rng.random() * _max_s)
    except Exception:  # e.g. module globals already torn down at interpreter exit
        pass


def gate_target(gate_ms, previous):
    """In the parent, at Process.start(): the wall-clock instant the new child will wait for.
    It is the first multiple of gate_ms at least 1.5 gate_ms ahead, shared by every child started
    while it is still gate_ms/2 ahead (so a batch started within gate_ms always shares it).
    A boundary chosen by each child from its own clock falls between two children forked a few
    ms apart in about 1 run in 10, and they then run one after the other; the margin leaves a
    child time to reach the gate even on a loaded machine."""
    if not gate_ms or gate_ms <= 0:
        return None
    period = gate_ms / 1000.0
    now = real_time()
    if previous is not None and previous - now >= period / 2:
        return previous
    return math.ceil((now + 1.5 * period) / period) * period


def gate(gate_ms, target=None):
    """In the child, before run(): sleep until target, or, when it is missing or already past
    (a slow spawn), until the next multiple of gate_ms of wall-clock time."""
    if not gate_ms or gate_ms <= 0:
        return
    period = gate_ms / 1000.0
    now = real_time()
    if target is None or target <= now:
        target = (math.floor(now / period) + 1) * period
    real_sleep(target - now)
