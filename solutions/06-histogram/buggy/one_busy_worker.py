# expect: no_speedup
"""Starts n_workers processes but gives all the data to the first one; the others get empty
slices and exit at once. Correct, and exactly as fast as a single worker."""
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
    slices = [data] + [[] for _ in range(n_workers - 1)]
    procs = [mp.Process(target=_worker, args=(s, counts, n_bins)) for s in slices]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
