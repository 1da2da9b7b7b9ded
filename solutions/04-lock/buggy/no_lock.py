# expect: race
"""Increments a shared Value without holding its lock for the whole read-modify-write."""
import multiprocessing as mp


def _worker(counter, n_increments):
    for _ in range(n_increments):
        counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0)
    procs = [mp.Process(target=_worker, args=(counter, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
