# expect: not_parallel
"""Creates a new Pool for every range instead of one pool for all of them: n_workers pools of
n_workers processes each. Far more processes are started than asked for, and each pool only
ever works on one range at a time."""
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


def count_primes(limit, n_workers):
    bounds = [limit * i // n_workers for i in range(n_workers + 1)]
    total = 0
    for lo, hi in zip(bounds, bounds[1:]):
        with mp.Pool(n_workers) as pool:
            total += sum(pool.map(_is_prime, range(lo, hi)))
    return total
