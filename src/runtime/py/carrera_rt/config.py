"""Parse the CARRERA_PROFILE environment variable (see docs/runtime-protocol.md)."""
import json
import math
import os

METHODS = ("fork", "spawn", "forkserver")
NOISES = ("none", "yield", "sleep")


class Profile(object):
    """The trial profile. Plain class rather than a dataclass: dataclasses pulls in `inspect`,
    which would slow down the start of every interpreter in the trial."""

    __slots__ = ("trial", "dir", "method", "noise", "p", "sleep_us", "gate_ms", "seed",
                 "events_cap", "dump_signal", "instrument", "student", "dilation", "program")

    def __init__(self, trial, dir, method=None, noise="none", p=0.0, sleep_us=200, gate_ms=0,
                 seed=0, events_cap=2000, dump_signal=10, instrument=True, student=None,
                 dilation=None, program=False):
        self.trial = trial
        self.dir = dir
        self.method = method
        self.noise = noise
        self.p = p
        self.sleep_us = sleep_us
        self.gate_ms = gate_ms
        self.seed = seed
        self.events_cap = events_cap
        self.dump_signal = dump_signal
        # False for timed speedup calls: only the start method is pinned, nothing is wrapped.
        self.instrument = instrument
        # The student's module file (as its code objects name it): events carry its line.
        self.student = student
        # (k, epoch) of the shared virtual clock (clock.py), or None: real time.
        self.dilation = dilation
        # A whole program (program mode): its first interpreter is the run's main process,
        # and `student` is the submission's folder (ending in a separator), not one file.
        self.program = program

    def __repr__(self):
        fields = ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__)
        return "Profile(%s)" % fields


def _number(raw, key, default, kind, lo, hi=None):
    value = raw.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("profile field %r must be a number, got %r" % (key, value))
    value = kind(value)
    if value < lo or (hi is not None and value > hi):
        raise ValueError("profile field %r out of range: %r" % (key, value))
    return value


def parse(text):
    """Build a Profile from the JSON text; raise ValueError on anything malformed, so a bad
    profile disables the runtime instead of half-installing it."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("CARRERA_PROFILE must be a JSON object")
    d = raw.get("dir")
    if not isinstance(d, str) or not os.path.isabs(d):
        raise ValueError("profile field 'dir' must be an absolute path, got %r" % (d,))
    method = raw.get("method")
    if method is not None and method not in METHODS:
        raise ValueError("unknown start method %r" % (method,))
    noise = raw.get("noise") or "none"
    if noise not in NOISES:
        raise ValueError("unknown noise %r" % (noise,))
    student = raw.get("student")
    if student is not None and (not isinstance(student, str) or not os.path.isabs(student)):
        raise ValueError("profile field 'student' must be an absolute path or null, got %r"
                         % (student,))
    dump_signal = raw.get("dump_signal", 10)
    if dump_signal is not None:
        dump_signal = _number(raw, "dump_signal", 10, int, 1, 64)
    return Profile(
        trial=str(raw.get("trial") or ""),
        dir=d,
        method=method,
        noise=noise,
        p=_number(raw, "p", 0.0, float, 0.0, 1.0),
        sleep_us=_number(raw, "sleep_us", 200, float, 0.0),
        gate_ms=_number(raw, "gate_ms", 0, float, 0.0),
        seed=_number(raw, "seed", 0, int, -(2 ** 63)),
        events_cap=_number(raw, "events_cap", 2000, int, 0),
        dump_signal=dump_signal,
        instrument=_flag(raw, "instrument", True),
        student=student,
        dilation=_dilation(raw.get("dilation")),
        program=_flag(raw, "program", False),
    )


MAX_K = 1000.0
MAX_EPOCH = 1e11  # seconds (year 5138): refuses an epoch given in ms or ns


def _dilation(value):
    """None, or (k, epoch) from {"k": K, "epoch": E}: 1 <= K <= MAX_K, 0 < E < MAX_EPOCH."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("profile field 'dilation' must be an object {\"k\", \"epoch\"} or null, "
                         "got %r" % (value,))
    unknown = sorted(set(value) - {"k", "epoch"})
    if unknown:
        raise ValueError("profile field 'dilation' has unknown keys %r" % (unknown,))
    out = []
    for key, lo, hi, lo_ok in (("k", 1.0, MAX_K, True), ("epoch", 0.0, MAX_EPOCH, False)):
        v = value.get(key)
        if (isinstance(v, bool) or not isinstance(v, (int, float))
                or not math.isfinite(v) or v > hi or v < lo or (v == lo and not lo_ok)):
            raise ValueError("profile field 'dilation.%s' must be a finite number in %s%g, %g], "
                             "got %r" % (key, "[" if lo_ok else "(", lo, hi, v))
        out.append(v)
    k, epoch = out
    # An integral K keeps the virtual *_ns clocks in exact integer arithmetic.
    return (int(k) if float(k).is_integer() else float(k)), float(epoch)


def _flag(raw, key, default):
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ValueError("profile field %r must be true or false, got %r" % (key, value))
    return value


def from_env(environ=None):
    """The profile of this trial, or None when CARRERA_PROFILE is unset or empty."""
    text = (os.environ if environ is None else environ).get("CARRERA_PROFILE")
    if not text:
        return None
    return parse(text)
