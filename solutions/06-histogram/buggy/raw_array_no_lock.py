# expect: race
"""Creates the Array with lock=False and lets every worker do `counts[v] += 1` concurrently. A raw
Array has no lock at all: the read-add-write of two workers can interleave and lose updates."""
import multiprocessing as mp


def _worker(chunk, counts):
    for v in chunk:
        counts[v] += 1


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins, lock=False)
    size = -(-len(data) // n_workers)
    procs = [mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
