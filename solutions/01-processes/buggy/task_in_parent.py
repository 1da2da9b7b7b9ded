# expect: not_parallel
"""Writes Process(target=task(i)): that calls task(i) right away, in the parent, and passes
its return value (None) as the target, so the children run nothing at all."""
import multiprocessing as mp


def run_workers(n, task):
    procs = [mp.Process(target=task(i)) for i in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return [p.pid for p in procs]
