# expect: wrong
"""Reads p.pid before start(): a Process that has not been started has no PID yet (None)."""
import multiprocessing as mp


def run_workers(n, task):
    procs = [mp.Process(target=task, args=(i,)) for i in range(n)]
    pids = [p.pid for p in procs]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return pids
