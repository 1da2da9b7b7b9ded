# expect: not_parallel
"""Computes the total in the parent and starts children that do nothing."""
import multiprocessing as mp


def _idle():
    pass


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0)
    for _ in range(n_procs * n_increments):
        with counter.get_lock():
            counter.value += 1
    procs = [mp.Process(target=_idle) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
