# expect: no_speedup
# Written from the statement, before speedup was scored, as an alternative solution: it is
# correct, but every worker's share of the data is pickled to the pool and the shared lock is
# taken once per 3 values. On 20 million values, in one grading here (2026-12-07), it took
# 5.5-5.9 s with 1 worker and 6.7-8.3 s with 2 (the reference: 0.86-0.95 s and 0.62-0.68 s):
# slower with more processes, 0.70-0.86x, so no speedup. With a lock per 10 values it
# measured 0.64-1.06x the same day, and one `carrera check` in four gave it full marks. That
# run kept no record; a reference measured under 1.275x would do it, since 80 % of that is
# under 1.02x and any ratio above 1.0 then earns full speedup.
"""06-histogram, alternative style: Pool with initializer, lock-free Array plus a separate Lock.

The shared counts are ``Array('l', n_bins, lock=False)``, protected by one
``multiprocessing.Lock`` created by the parent. Both are handed to the workers of one
``Pool(n_workers)`` through its initializer (they cannot be ``map`` arguments). The
data is dealt round-robin (``data[i::n_workers]``) into ``n_workers`` parts; each task
walks its part in batches of 3 values, counts a batch locally and adds it into the
Array while holding the shared Lock, once per batch.
"""
import multiprocessing

_counts = None
_lock = None

BATCH = 3


def _keep(counts, lock):
    global _counts, _lock
    _counts = counts
    _lock = lock


def _count_part(part):
    for start in range(0, len(part), BATCH):
        batch = {}
        for v in part[start:start + BATCH]:
            batch[v] = batch.get(v, 0) + 1
        _lock.acquire()
        try:
            for b, c in batch.items():
                _counts[b] = _counts[b] + c
        finally:
            _lock.release()
    return len(part)


def parallel_histogram(data: list, n_bins: int, n_workers: int) -> list:
    counts = multiprocessing.Array("l", n_bins, lock=False)
    lock = multiprocessing.Lock()
    parts = [data[i::n_workers] for i in range(n_workers)]
    pool = multiprocessing.Pool(n_workers, initializer=_keep, initargs=(counts, lock))
    try:
        done = sum(pool.map(_count_part, parts, chunksize=1))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    assert done == len(data)
    return list(counts)
