# expect: leak
"""Starts the workers and reads the Array without join(): the function returns while the workers
are still running (and usually before they have counted anything)."""
import multiprocessing as mp


def _worker(chunk, counts, n_bins):
    local = [0] * n_bins
    for v in chunk:
        local[v] += 1
    with counts.get_lock():
        for b in range(n_bins):
            counts[b] += local[b]


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins)
    size = -(-len(data) // n_workers)
    procs = [mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts, n_bins))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    return counts[:]  # a copy of the counts as they are right now
