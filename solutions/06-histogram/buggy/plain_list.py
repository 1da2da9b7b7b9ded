# expect: wrong
"""Counts into an ordinary Python list created in the parent. Each worker gets its own copy of the
list (inherited under fork, pickled under spawn/forkserver) and increments that copy; the parent's
list never changes, so the function returns all zeros."""
import multiprocessing as mp


def _worker(chunk, counts, lock):
    for v in chunk:
        with lock:
            counts[v] += 1


def parallel_histogram(data, n_bins, n_workers):
    counts = [0] * n_bins
    lock = mp.Lock()
    size = -(-len(data) // n_workers)
    procs = [mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts, lock))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counts
