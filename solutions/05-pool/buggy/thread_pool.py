# expect: not_parallel
"""Uses multiprocessing.pool.ThreadPool: the same interface as Pool, but its workers are threads
of the one main process, so Python code runs on one CPU at a time."""
from multiprocessing.pool import ThreadPool


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
    with ThreadPool(n_workers) as pool:
        return sum(pool.map(_count, ranges))
