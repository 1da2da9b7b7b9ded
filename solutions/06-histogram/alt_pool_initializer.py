# expect: pass
# Alternative solution, written from the statement alone: a Pool(n_workers) whose initializer keeps a lock-free shared Array plus one multiprocessing.Lock; strided split, local Counter, one locked add per worker.
"""06-histogram, alternative style: ``Pool`` with an initializer.

An ``Array`` cannot travel as an argument of ``Pool.map``, so it is handed to
each pool process once, when the pool starts, through ``initializer`` /
``initargs`` and kept in module globals of the worker. The ``Array`` is
created with ``lock=False`` and a separate ``multiprocessing.Lock`` (shared by
all the workers) protects every update. The data is split by stride
(``data[i::n_workers]``), which covers every value exactly once whatever the
remainder.
"""

import multiprocessing
from collections import Counter

# Set in each pool process by _keep(); never set in the parent.
_counts = None
_lock = None


def _keep(counts, lock):
    """Pool initializer: remember the shared Array and its lock in this worker."""
    global _counts, _lock
    _counts = counts
    _lock = lock


def _count_part(part):
    """Count one part locally (no lock needed), then add it into the shared Array once."""
    local = Counter(part)
    with _lock:
        for value, how_many in local.items():
            _counts[value] += how_many


def parallel_histogram(data: list, n_bins: int, n_workers: int) -> list:
    counts = multiprocessing.Array("i", n_bins, lock=False)
    lock = multiprocessing.Lock()

    parts = [data[i::n_workers] for i in range(n_workers)]

    pool = multiprocessing.Pool(n_workers, initializer=_keep, initargs=(counts, lock))
    try:
        pool.map(_count_part, parts, chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()

    return list(counts)


if __name__ == "__main__":
    print(parallel_histogram([0, 2, 1, 2, 2, 0], 3, 2))
