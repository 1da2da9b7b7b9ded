# expect: pass
"""Style: a Process subclass whose run() calls task(i) and reports (i, os.getpid()) on a Queue;
the parent places each PID by index (not by arrival order)."""

import multiprocessing
import os


class Worker(multiprocessing.Process):
    def __init__(self, index, task, results):
        super().__init__()
        self.index = index
        self.task = task
        self.results = results

    def run(self):
        try:
            self.task(self.index)
        finally:               # report even if the task raised, so the parent never waits forever
            self.results.put((self.index, os.getpid()))


def run_workers(n: int, task) -> list[int]:
    results = multiprocessing.Queue()
    workers = [Worker(i, task, results) for i in range(n)]
    for w in workers:
        w.start()
    pids = [None] * n
    for _ in range(n):          # drain the queue before join() (avoids the feeder-thread trap)
        index, pid = results.get()
        pids[index] = pid
    for w in workers:
        w.join()
    results.close()
    results.join_thread()
    return pids
