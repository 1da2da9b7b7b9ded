"""Reference solution for 03-queue."""
import multiprocessing as mp


def _worker(fn, tasks, results):
    while True:
        job = tasks.get()
        if job is None:          # the sentinel: no more work for this worker
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
    for _ in range(len(items)):   # drain the results first...
        index, value = results.get()
        out[index] = value
    for w in workers:             # ...then join: a worker exits only once its results are read
        w.join()
    return out
