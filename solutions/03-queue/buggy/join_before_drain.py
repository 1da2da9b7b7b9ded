# expect: deadlock
"""Joins the workers before reading the result queue. A worker whose results are still in the
queue's buffer cannot exit until someone reads them, so with large results (about 1 MB each)
the parent waits for the workers and the workers wait for the parent."""
import multiprocessing as mp


def _worker(fn, tasks, results):
    while True:
        job = tasks.get()
        if job is None:
            break
        index, item = job
        results.put((index, fn(item)))


def parallel_map(fn, items, n_workers):
    tasks = mp.Queue()
    results = mp.Queue()
    workers = [mp.Process(target=_worker, args=(fn, tasks, results)) for _ in range(n_workers)]
    for w in workers:
        w.start()
    for index, item in enumerate(items):
        tasks.put((index, item))
    for _ in workers:
        tasks.put(None)
    for w in workers:
        w.join()
    out = [None] * len(items)
    for _ in range(len(items)):
        index, value = results.get()
        out[index] = value
    return out
