# expect: race
"""Each worker does `counts[v] += 1` on the shared Array for every value, without holding a lock.
The Array's own lock is taken for the read and again for the write, never for the pair, so two
workers can read the same count and both write it + 1: updates are lost."""
import multiprocessing as mp


def _worker(chunk, counts):
    for v in chunk:
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
