# expect: wrong
"""Each worker counts its slice locally and then ASSIGNS its partial counts to the shared Array
(`counts[b] = local[b]`) instead of adding them. The lock makes each write safe, but every write
replaces what the other workers stored: the result holds the counts of whichever worker wrote
last. (In the first graded case both halves of the data have the same histogram, so it is always
exactly half of the right counts; on other data it changes with who finishes last.)"""
import multiprocessing as mp


def _worker(chunk, counts, n_bins):
    local = [0] * n_bins
    for v in chunk:
        local[v] += 1
    with counts.get_lock():
        for b in range(n_bins):
            counts[b] = local[b]


def parallel_histogram(data, n_bins, n_workers):
    counts = mp.Array("q", n_bins)
    size = -(-len(data) // n_workers)
    procs = [mp.Process(target=_worker, args=(data[i * size:(i + 1) * size], counts, n_bins))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
