# expect: wrong
"""Each range includes its upper end, so a number on the boundary between two ranges is tested
twice, and the last range also tests `limit` itself. A prime there is counted twice (or counted
when it should not be)."""
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
    return sum(1 for n in range(lo, hi + 1) if _is_prime(n))


def count_primes(limit, n_workers):
    step = max(1, limit // n_workers)
    ranges = []
    for i in range(n_workers):
        lo = i * step
        hi = limit if i == n_workers - 1 else (i + 1) * step
        ranges.append((lo, hi))
    with mp.Pool(n_workers) as pool:
        return sum(pool.map(_count, ranges))
