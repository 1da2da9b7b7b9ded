"""06-histogram harness: runs inside the student's process tree and only reports what it saw.

The case gives a seed, a length, n_bins and n_workers; the data is generated here, the same way
in every run (a small LCG, so it does not depend on the Python version), and skewed so that a few
bins get most of the values: concurrent updates then keep hitting the same counters.
"""
import functools


def make_data(seed, length, n_bins):
    x = seed & 0xFFFFFFFFFFFFFFFF
    out = []
    for _ in range(length):
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        r = x >> 24
        # The smaller of two uniform draws: low bins are more frequent than high ones.
        out.append(min(r % n_bins, (r >> 20) % n_bins))
    return out


def run(fn, seed, length, n_bins, n_workers, repeat=1):
    # repeat > 1: the data is one block repeated, so that every equal slice of it has the same
    # histogram (a solution that overwrites instead of adding then returns exactly 1/repeat of
    # every count, whichever worker writes last).
    data = make_data(seed, length // repeat, n_bins) * repeat
    return {"result": fn(data, n_bins, n_workers)}


# The speedup data is one random block repeated: the counting costs the same, and making it is
# half as slow as fresh random bytes. It is built once per warm server (cached below) and
# inherited by each timed call forked from it; a fresh interpreter (--cold) builds its own.
SPEEDUP_BLOCKS = 16


def speedup_args(seed, length, n_bins, n_workers):
    """The timed call's arguments, built before the clock starts: uniform values in [0, 256)
    made in C (random bytes), since building millions of values in Python would take longer
    than counting them."""
    if n_bins != 256:
        raise ValueError("speedup data is made of bytes: n_bins must be 256")
    if length % SPEEDUP_BLOCKS:
        raise ValueError(f"speedup length must be a multiple of {SPEEDUP_BLOCKS}")
    return (_speedup_data(seed, length), n_bins, n_workers), {}


@functools.lru_cache(maxsize=1)
def _speedup_data(seed, length):
    # One list for both calls (1 and P workers). A call that changes it in place changes its
    # own process's copy only: each call is a process of its own.
    import random
    block = list(random.Random(seed).randbytes(length // SPEEDUP_BLOCKS))
    return block * SPEEDUP_BLOCKS
