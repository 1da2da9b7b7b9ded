# expect: pass
"""03-queue, alternative style: plain worker function, None sentinel, preallocated list.

Workers are started with ``Process(target=_worker, args=(fn, tasks, results))``.
The parent starts the workers first, then feeds every ``(index, item)`` pair and one
``None`` per worker. It reads exactly ``len(items)`` results, writing each one at its
index in ``out = [None] * len(items)``, and then joins every worker.
"""
import multiprocessing


def _worker(fn, tasks, results):
    for index_item in iter(tasks.get, None):
        index, item = index_item
        results.put((index, fn(item)))


def parallel_map(fn, items: list, n_workers: int) -> list:
    tasks = multiprocessing.Queue()
    results = multiprocessing.Queue()
    procs = []
    for _ in range(n_workers):
        p = multiprocessing.Process(target=_worker, args=(fn, tasks, results))
        p.start()
        procs.append(p)
    n = len(items)
    for i in range(n):
        tasks.put((i, items[i]))
    for _ in range(n_workers):
        tasks.put(None)
    out = [None] * n
    remaining = n
    while remaining:
        index, value = results.get()
        out[index] = value
        remaining -= 1
    for p in procs:
        p.join()
    return out
