# expect: leak
"""Starts the workers and reads the counter without waiting for them."""
import multiprocessing as mp


def _worker(counter, n_increments):
    for _ in range(n_increments):
        with counter.get_lock():
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0)
    procs = [mp.Process(target=_worker, args=(counter, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    return counter.value
