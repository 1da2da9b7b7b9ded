# expect: not_parallel
"""Ignores n_workers and always creates a Pool of 2 processes: the count is right, but not with
the number of processes that was asked for."""
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
    step = (limit + n_workers - 1) // n_workers
    ranges = [(lo, min(lo + step, limit)) for lo in range(0, limit, step)]
    with mp.Pool(2) as pool:
        return sum(pool.map(_count, ranges))
