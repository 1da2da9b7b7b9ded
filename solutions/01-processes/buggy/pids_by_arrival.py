# expect: race
"""Each child sends its PID through a Queue and the parent appends them in arrival order: the
order in which the children finish, which changes from run to run. Element i must be the PID
of the process that ran task(i), whatever order they finish in."""
import multiprocessing as mp
import os


def _worker(task, i, q):
    task(i)
    q.put(os.getpid())


def run_workers(n, task):
    q = mp.Queue()
    procs = [mp.Process(target=_worker, args=(task, i, q)) for i in range(n)]
    for p in procs:
        p.start()
    pids = [q.get() for _ in range(n)]
    for p in procs:
        p.join()
    return pids
