# expect: race
"""Each worker creates its own Lock and holds it around every `counts[v] += 1`. A lock that nobody
else shares excludes nobody: two workers can still read the same count and both write it + 1."""
import multiprocessing as mp


def _worker(chunk, counts):
    lock = mp.Lock()
    for v in chunk:
        with lock:
            counts[v] += 1


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins)
    size = -(-len(data) // n_workers)
    procs = [mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
