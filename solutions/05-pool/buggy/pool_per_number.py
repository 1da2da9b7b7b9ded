# expect: busy_hang
"""Creates a new Pool for every number: thousands of pools, each started and torn down to test one
number. The count would be right, but starting processes costs far more than testing a number."""
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
    total = 0
    for n in range(limit):
        with mp.Pool(n_workers) as pool:
            total += pool.apply(_is_prime, (n,))
    return total
