# expect: race
"""Uses threading.Lock: under fork each process gets its own copy, so it protects nothing."""
import multiprocessing as mp
import threading

LOCK = threading.Lock()


def _worker(counter, n_increments):
    for _ in range(n_increments):
        with LOCK:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0)
    procs = [mp.Process(target=_worker, args=(counter, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
