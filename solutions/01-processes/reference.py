"""Reference solution for 01-processes."""
import multiprocessing as mp


def run_workers(n, task):
    procs = [mp.Process(target=task, args=(i,)) for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return [p.pid for p in procs]
