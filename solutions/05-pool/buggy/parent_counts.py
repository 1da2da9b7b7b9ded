# expect: not_parallel
"""Creates the pool but then tests every number in the parent: the pool's processes sit idle."""
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
    with mp.Pool(n_workers) as pool:
        return sum(1 for n in range(limit) if _is_prime(n))
