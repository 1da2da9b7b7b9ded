# expect: no_speedup
"""Starts n_workers processes that each count their slice and add it to the shared Array under
its lock, but joins each one right after starting it: the workers run one after another. The
result is right; the time is that of one process."""
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
    for i in range(n_workers):
        p = mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts, n_bins))
        p.start()
        p.join()
    return list(counts)
