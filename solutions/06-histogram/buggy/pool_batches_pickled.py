# expect: no_speedup
# Written from the statement, before speedup was scored, as an alternative solution: it is
# correct, but every worker's share of the data is pickled to the pool and the shared lock is
# taken once per 10 values. On 20 million values, in one grading here, it took 6.7-8.6 s with
# 1 worker and 11.2-12.5 s with 2 (the reference: 1.35-1.44 s and 0.90-1.01 s): slower with
# more processes, so no speedup. (With a lock per 50 values it measured 0.84-0.96x, close
# enough to 1x that a noisy repetition could earn it the benefit of the doubt.)
"""06-histogram, alternative style: Pool with initializer, lock-free Array plus a separate Lock.

The shared counts are ``Array('l', n_bins, lock=False)``, protected by one
``multiprocessing.Lock`` created by the parent. Both are handed to the workers of one
``Pool(n_workers)`` through its initializer (they cannot be ``map`` arguments). The
data is dealt round-robin (``data[i::n_workers]``) into ``n_workers`` parts; each task
walks its part in batches of 10 values, counts a batch locally and adds it into the
Array while holding the shared Lock, once per batch.
"""
import multiprocessing

_counts = None
_lock = None

BATCH = 10


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
