# expect: pass
"""05-pool, alternative style: apply_async per fixed-size block, segmented sieve in the worker.

The parent walks ``[0, limit)`` in blocks of at most ``block`` numbers (at least
``n_workers`` blocks), submits each block with ``pool.apply_async`` and adds up the
``AsyncResult.get()`` values. Each task sieves its own block ``[lo, hi)`` using the
base primes up to ``sqrt(hi)``, which it computes itself. Tiny limits (< 1000) are
counted directly in the parent, which the statement allows.
"""
import math
import multiprocessing


def _small_primes(upto):
    """Primes p <= upto, by a simple sieve."""
    if upto < 2:
        return []
    flags = bytearray([1]) * (upto + 1)
    flags[0] = flags[1] = 0
    for p in range(2, math.isqrt(upto) + 1):
        if flags[p]:
            flags[p * p :: p] = bytearray(len(range(p * p, upto + 1, p)))
    return [i for i in range(upto + 1) if flags[i]]


def sieve_block(lo, hi):
    """Number of primes in [lo, hi)."""
    if hi <= 2 or hi <= lo:
        return 0
    lo = max(lo, 2)
    if hi <= lo:
        return 0
    flags = bytearray([1]) * (hi - lo)
    for p in _small_primes(math.isqrt(hi - 1)):
        start = max(p * p, ((lo + p - 1) // p) * p)
        if start >= hi:
            continue
        flags[start - lo :: p] = bytearray(len(range(start, hi, p)))
    return sum(flags)


def count_primes(limit: int, n_workers: int) -> int:
    if limit < 1000:
        return sieve_block(0, limit)
    block = max(1, min(20000, -(-limit // n_workers)))
    with multiprocessing.Pool(processes=n_workers) as pool:
        pending = [
            pool.apply_async(sieve_block, (lo, min(lo + block, limit)))
            for lo in range(0, limit, block)
        ]
        total = sum(r.get() for r in pending)
        pool.close()
        pool.join()
    return total
