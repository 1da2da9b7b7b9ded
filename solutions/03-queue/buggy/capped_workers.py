# expect: not_parallel
"""Ignores n_workers when it is larger than two and starts only two workers: the result is
right, but fewer processes share the work than were asked for."""
import multiprocessing as mp


def _worker(fn, tasks, results):
    while True:
        job = tasks.get()
        if job is None:
            break
        index, item = job
        results.put((index, fn(item)))


def parallel_map(fn, items, n_workers):
    n = min(n_workers, 2)
    tasks = mp.Queue()
    results = mp.Queue()
    workers = [mp.Process(target=_worker, args=(fn, tasks, results)) for _ in range(n)]
    for w in workers:
        w.start()
    for index, item in enumerate(items):
        tasks.put((index, item))
    for _ in workers:
        tasks.put(None)
    out = [None] * len(items)
    for _ in range(len(items)):
        index, value = results.get()
        out[index] = value
    for w in workers:
        w.join()
    return out
