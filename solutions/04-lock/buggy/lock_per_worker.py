# expect: race
"""Each worker creates its own Lock, so nobody ever waits for anybody."""
import multiprocessing as mp


def _worker(counter, n_increments):
    lock = mp.Lock()
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0)
    procs = [mp.Process(target=_worker, args=(counter, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
