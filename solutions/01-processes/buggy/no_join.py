# expect: leak
"""Starts the processes and returns their PIDs without joining them: the children are still
running when the function returns."""
import multiprocessing as mp


def run_workers(n, task):
    procs = [mp.Process(target=task, args=(i,)) for i in range(n)]
    for p in procs:
        p.start()
    return [p.pid for p in procs]
