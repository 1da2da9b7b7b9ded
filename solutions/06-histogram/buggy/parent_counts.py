# expect: not_parallel
"""The parent counts all the data into the Array by itself and starts workers that do nothing:
the result is right, but nothing was counted in parallel."""
import multiprocessing as mp


def _idle():
    pass


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins)
    with counts.get_lock():
        for v in data:
            counts[v] += 1
    procs = [mp.Process(target=_idle) for _ in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
