# expect: wrong
"""Collects results while results.empty() is false. Right after handing out the tasks no worker
has finished anything yet, so the loop ends at once and the list stays full of None."""
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
    out = [None] * len(items)
    while not results.empty():
        index, value = results.get()
        out[index] = value
    for w in workers:
        w.join()
    return out
