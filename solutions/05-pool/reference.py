"""Reference solution for 05-pool."""
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
    limit = max(limit, 0)
    # Half-open ranges [lo, hi) whose ends meet: every number in [0, limit) exactly once.
    bounds = [limit * i // n_workers for i in range(n_workers + 1)]
    ranges = list(zip(bounds, bounds[1:]))
    with mp.Pool(n_workers) as pool:
        return sum(pool.map(_count_range, ranges))
