# expect: pass
# Alternative solution, written from the statement alone: a lock-free RawValue counter guarded by one explicit multiprocessing.Lock, taken with acquire()/release() in try/finally.
"""04-lock, alternative style: ``RawValue`` plus a separate ``Lock``.

``multiprocessing.RawValue`` is shared memory with no lock of its own, so all
the protection comes from one ``multiprocessing.Lock`` created by the parent
and handed to every child. Each child holds it across the whole
read-add-write of every increment.
"""

import multiprocessing
from multiprocessing.sharedctypes import RawValue


def _add_many(counter, lock, n_increments):
    """Child body: add 1 to the shared counter n_increments times, under the lock."""
    for _ in range(n_increments):
        lock.acquire()
        try:
            current = counter.value      # read
            counter.value = current + 1  # write, still inside the lock
        finally:
            lock.release()


def count_with_lock(n_procs: int, n_increments: int) -> int:
    counter = RawValue("i", 0)
    lock = multiprocessing.Lock()

    workers = []
    for _ in range(n_procs):
        worker = multiprocessing.Process(target=_add_many, args=(counter, lock, n_increments))
        workers.append(worker)

    # Start them all first, so they really run at the same time ...
    for worker in workers:
        worker.start()
    # ... and only then wait for every one of them.
    for worker in workers:
        worker.join()

    return counter.value


if __name__ == "__main__":
    print(count_with_lock(4, 1000))
