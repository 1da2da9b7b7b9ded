# expect: no_speedup
"""Creates one Pool of n_workers processes, the right size, but hands it one range at a time with
`pool.apply`, which waits for each result before sending the next range. The workers do all the
counting, but never at the same time: correct, and no faster than one process."""
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


def _count_range(lo, hi):
    return sum(1 for n in range(lo, hi) if _is_prime(n))


def count_primes(limit, n_workers):
    bounds = [limit * i // n_workers for i in range(n_workers + 1)]
    total = 0
    with mp.Pool(n_workers) as pool:
        for lo, hi in zip(bounds, bounds[1:]):
            total += pool.apply(_count_range, (lo, hi))
    return total
