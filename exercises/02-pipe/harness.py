"""02-pipe harness: runs inside the student's process tree and only reports what it saw.

The student's function receives the numbers as instances of `Num`, an int subclass defined here
at module level (so it pickles by name through the pipe under fork, spawn and forkserver: this
file's folder is on sys.path in every process of the trial). A Num behaves exactly like its int,
but multiplying it (x * x, x ** 2, pow(x, 2)) first records a `square` event in the trace of the
process doing it, then returns a plain int. The judge reads those counts to see WHO squared.

A Num pickles about 50 times slower than a plain int, so big inputs mark only every MARK_STRIDE-th
number (the student's code cannot tell them apart, so a sample shows who squares them all).
judge.py applies the same rule to know how many marked numbers to expect.

Big results are summarised (length, SHA-256, a few values at each end) to keep the result
record small; carrera compares the summary with the reference's.
"""
import hashlib
import json
import re

from carrera_rt import trace

# Results longer than this are summarised instead of returned whole.
INLINE_MAX = 50
# Inputs up to MARK_ALL numbers are all Num; longer ones mark indices 0, MARK_STRIDE, 2*MARK_STRIDE...
MARK_ALL = 10000
MARK_STRIDE = 100
_GENERATED = re.compile(r"list\(range\((-?\d+), (-?\d+)\)\)")


class Num(int):
    """An int that records in which process it gets multiplied."""

    __slots__ = ()

    def __mul__(self, other):
        trace.record("square", "mul")
        return int.__mul__(self, other)

    def __rmul__(self, other):
        trace.record("square", "mul")
        return int.__rmul__(self, other)

    def __pow__(self, other, mod=None):
        trace.record("square", "pow")
        return int.__pow__(self, other, mod)

    def __repr__(self):
        return int.__repr__(self)


def numbers_of(spec):
    """The case's numbers: a literal list, or "list(range(a, b))" for big inputs."""
    if isinstance(spec, list):
        return [int(v) for v in spec]
    m = _GENERATED.fullmatch(spec)
    if not m:
        raise ValueError("bad case spec %r" % (spec,))
    return list(range(int(m.group(1)), int(m.group(2))))


def summary(result):
    """What carrera compares: the list itself when short, else a small digest of it."""
    if not isinstance(result, list):
        return {"not_a_list": type(result).__name__, "repr": repr(result)[:200]}
    for x in result:
        if type(x) is not int:
            # A float (math.pow, x ** 2.0), a Num passed back unsquared, None...
            return {"not_all_ints": type(x).__name__, "len": len(result),
                    "head": [repr(v) for v in result[:5]]}
    if len(result) <= INLINE_MAX:
        return result
    data = json.dumps(result, separators=(",", ":")).encode()
    return {"len": len(result), "sha256": hashlib.sha256(data).hexdigest(),
            "head": result[:5], "tail": result[-5:]}


def marked(values):
    stride = 1 if len(values) <= MARK_ALL else MARK_STRIDE
    return [Num(v) if i % stride == 0 else v for i, v in enumerate(values)]


def run(fn, spec):
    numbers = marked(numbers_of(spec))
    return {"result": summary(fn(numbers))}
