# expect: wrong
"""Appends the results in the order they arrive, which is the order the workers finish them,
not the order of the items."""
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
    out = []
    for _ in range(len(items)):
        index, value = results.get()
        out.append(value)
    for w in workers:
        w.join()
    return out
