# expect: busy_hang
"""Each worker, after counting, spins until the parent raises a `done` flag; but the parent
raises it only after joining the workers. Nobody can move, and the workers burn CPU waiting."""
import multiprocessing as mp


def _worker(counter, done, n_increments):
    for _ in range(n_increments):
        with counter.get_lock():
            counter.value += 1
    while not done.value:
        pass


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0)
    done = mp.Value("b", False)
    procs = [mp.Process(target=_worker, args=(counter, done, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    done.value = True
    return counter.value
