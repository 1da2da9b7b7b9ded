# expect: not_portable
"""The counter and its lock live at module level. Under fork the children inherit them; under
spawn or forkserver every child re-imports the file and gets a fresh counter of its own."""
import multiprocessing as mp

COUNTER = mp.Value("i", 0)


def _worker(n_increments):
    for _ in range(n_increments):
        with COUNTER.get_lock():
            COUNTER.value += 1


def count_with_lock(n_procs, n_increments):
    with COUNTER.get_lock():
        COUNTER.value = 0
    procs = [mp.Process(target=_worker, args=(n_increments,)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return COUNTER.value
