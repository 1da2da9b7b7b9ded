# expect: resource_limit
# expect-minimal: pass
"""Disk filling, bounded: 300 MiB in ten files of 30 MiB, in the current (work) folder.

Each file stays under the minimal tier's RLIMIT_FSIZE (64 MiB per file), so only a limit on
the folder as a whole (a sized tmpfs, a quota) can stop it. Errors are not caught: ENOSPC,
EDQUOT or EFBIG end the function with an OSError. If all ten files are written, the function
counts correctly and returns n_procs * n_increments; it leaves the files behind.

Fair verdict: `resource_limit`: the program wrote more than a trial's scratch space allows
(the sandboxing notes: scratch tmpfs 64 MiB). The minimal tier has no such limit, only the
per-file one this stays under, so the attack goes unseen there and the count passes.
"""
import multiprocessing as mp
import os

_FILES = 10
_FILE_BYTES = 30 << 20
_CHUNK = b"\xa5" * (1 << 20)


def _fill():
    for i in range(_FILES):
        with open("fill-%02d.bin" % i, "wb") as f:
            for _ in range(_FILE_BYTES // len(_CHUNK)):
                f.write(_CHUNK)


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    _fill()
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
