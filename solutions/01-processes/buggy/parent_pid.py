# expect: wrong
"""Records os.getpid() in the parent for every process: that is the caller's own PID, not the
children's. The parent learns a child's PID from p.pid."""
import multiprocessing as mp
import os


def run_workers(n, task):
    procs = []
    pids = []
    for i in range(n):
        p = mp.Process(target=task, args=(i,))
        p.start()
        procs.append(p)
        pids.append(os.getpid())
    for p in procs:
        p.join()
    return pids
