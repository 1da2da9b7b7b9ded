# expect: wrong
"""Splits the numbers into n_workers ranges of limit // n_workers numbers each and forgets the
remainder: when limit is not a multiple of n_workers the last few numbers are never tested."""
import multiprocessing as mp


def _is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def _count(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi) if _is_prime(n))


def count_primes(limit, n_workers):
    step = limit // n_workers
    ranges = [(i * step, (i + 1) * step) for i in range(n_workers)]
    with mp.Pool(n_workers) as pool:
        return sum(pool.map(_count, ranges))
