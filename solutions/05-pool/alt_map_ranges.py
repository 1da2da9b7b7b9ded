# expect: pass
"""05-pool, alternative style: pool.map over half-open ranges, trial division by odd numbers.

The parent cuts ``[0, limit)`` into ``4 * n_workers`` ranges with bounds
``limit * i // k`` (so they meet exactly and cover everything), and one
``Pool(n_workers)`` counts the primes of each range with ``pool.map``. The
parent only adds the counts.
"""
import multiprocessing


def _is_prime(n):
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_range(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi) if _is_prime(n))


def count_primes(limit: int, n_workers: int) -> int:
    if limit <= 2:
        return 0
    k = 4 * n_workers
    edges = [limit * i // k for i in range(k + 1)]
    ranges = [(edges[i], edges[i + 1]) for i in range(k)]
    with multiprocessing.Pool(n_workers) as pool:
        counts = pool.map(count_range, ranges, chunksize=1)
        pool.close()
        pool.join()
    return sum(counts)
