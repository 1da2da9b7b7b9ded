# expect: not_parallel
"""Joins each process right after starting it, inside the same loop: every process waits for
the previous one to finish, so the tasks run one after another instead of at the same time."""
import multiprocessing as mp


def run_workers(n, task):
    pids = []
    for i in range(n):
        p = mp.Process(target=task, args=(i,))
        p.start()
        p.join()
        pids.append(p.pid)
    return pids
