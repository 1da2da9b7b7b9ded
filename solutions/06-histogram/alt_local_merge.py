# expect: pass
"""06-histogram, alternative style: Process per slice, local counts merged once under get_lock().

The data is split with bounds ``len(data) * i // n_workers`` (every value in exactly
one slice, some slices possibly empty). Each of the ``n_workers`` processes counts its
slice into a private list and then, holding the synchronised Array's own lock
(``counts.get_lock()``), adds that list into the shared Array bin by bin.
"""
import multiprocessing


def _count_slice(part, counts, n_bins):
    local = [0] * n_bins
    for v in part:
        local[v] += 1
    with counts.get_lock():
        for b in range(n_bins):
            if local[b]:
                counts[b] += local[b]


def parallel_histogram(data: list, n_bins: int, n_workers: int) -> list:
    counts = multiprocessing.Array("i", n_bins)
    n = len(data)
    edges = [n * i // n_workers for i in range(n_workers + 1)]
    procs = [
        multiprocessing.Process(
            target=_count_slice, args=(data[edges[i]:edges[i + 1]], counts, n_bins)
        )
        for i in range(n_workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts)
