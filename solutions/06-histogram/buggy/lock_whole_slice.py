# expect: no_speedup
"""Each worker takes the Array's lock once and keeps it while it counts its whole slice straight
into the shared Array. No update is lost, but only the worker holding the lock can count: the
workers take turns, and the run is as slow as one process (slower, with every access locked)."""
import multiprocessing as mp


def _worker(chunk, counts):
    with counts.get_lock():
        for v in chunk:
            counts[v] += 1


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins)
    size = -(-len(data) // n_workers)
    procs = [
        mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts))
        for i in range(n_workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
