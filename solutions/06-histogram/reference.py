"""Reference solution for 06-histogram.

Each worker counts its own slice of the data in a local list (no sharing, no locks), then adds
its partial counts into the shared Array while holding the Array's lock, once per worker.
"""
import multiprocessing as mp


def _worker(chunk, counts, n_bins):
    local = [0] * n_bins
    for v in chunk:
        local[v] += 1
    with counts.get_lock():
        for b in range(n_bins):
            counts[b] += local[b]


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins)  # zero-filled, with its own (recursive) lock
    size = -(-len(data) // n_workers)  # ceil: every value lands in some chunk
    procs = [
        mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts, n_bins))
        for i in range(n_workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)


if __name__ == "__main__":
    print(parallel_histogram([0, 2, 1, 2, 2, 0], 3, 2))
