# expect: pass
"""03-queue, alternative style: a Process subclass, a string sentinel, results in a dict.

Each worker is an instance of a top-level ``multiprocessing.Process`` subclass that
holds ``fn`` and the two queues as attributes. The sentinel is the string "STOP"
(tasks are always tuples, so it cannot be confused with one). The parent collects
exactly ``len(items)`` results into a dict keyed by index, builds the ordered list
from it, and only then joins the workers.
"""
import multiprocessing

STOP = "STOP"


class MapWorker(multiprocessing.Process):
    """Takes (index, item) tasks until it sees STOP; puts (index, fn(item))."""

    def __init__(self, fn, tasks, results):
        super().__init__()
        self.fn = fn
        self.tasks = tasks
        self.results = results

    def run(self):
        while True:
            task = self.tasks.get()
            if isinstance(task, str) and task == STOP:
                break
            index, item = task
            self.results.put((index, self.fn(item)))


def parallel_map(fn, items: list, n_workers: int) -> list:
    tasks = multiprocessing.Queue()
    results = multiprocessing.Queue()
    workers = [MapWorker(fn, tasks, results) for _ in range(n_workers)]
    for w in workers:
        w.start()
    for index, item in enumerate(items):
        tasks.put((index, item))
    for _ in workers:
        tasks.put(STOP)
    got = {}
    for _ in range(len(items)):
        index, value = results.get()
        got[index] = value
    for w in workers:
        w.join()
    return [got[i] for i in range(len(items))]
