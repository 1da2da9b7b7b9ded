# expect: deadlock
"""Puts a single sentinel for all the workers: the first worker that takes it stops, the others
wait for a task that never comes, and the parent waits for them in join()."""
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
    tasks.put(None)
    out = [None] * len(items)
    for _ in range(len(items)):
        index, value = results.get()
        out[index] = value
    for w in workers:
        w.join()
    return out
