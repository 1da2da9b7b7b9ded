# expect: no_speedup
"""Creates a Pool of n_workers processes but gives it the whole range as a single task: one
worker counts everything while the others wait. As fast as Pool(1)."""
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


def _count_range(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi) if _is_prime(n))


def count_primes(limit, n_workers):
    with mp.Pool(n_workers) as pool:
        return sum(pool.map(_count_range, [(0, max(limit, 0))]))
