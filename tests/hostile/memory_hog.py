# expect: resource_limit
# expect-minimal: pass
"""Memory exhaustion, bounded: four processes, 3 GiB of address space each, 384 MiB of it
really used (touched), held together for a moment; then the right count.

Each hog process allocates 64 MiB blocks until it holds 3 GiB: the first 384 MiB filled with
data (resident memory), the rest zero-filled on demand (address space only). So one trial
asks for 12 GiB of address space and really uses 1.5 GiB, more than a trial's memory limit
of 1 GiB. The bounds keep the machine safe: the grader runs up to four trials at once (6 GiB
resident at worst), and each block is freed when its hog exits. Then the function counts
correctly (processes, Value, Lock, join) and returns n_procs * n_increments.

Fair verdict: `resource_limit`: the tree used more memory than a trial allows. A tier with a
memory cgroup sees the OOM kill (or a smaller RLIMIT_AS makes an allocation raise
MemoryError) and must report it. The minimal tier has only RLIMIT_AS, 4 GiB per process: each
hog stays under it and nothing counts the tree's total, so the minimal tier cannot see the
attack and the (correct) count passes.
"""
import multiprocessing as mp
import time

_HOGS = 4
_BLOCK = 64 << 20
_RESERVE = 3 << 30  # address space per hog
_TOUCH = 288 << 20  # of which really used
_HOLD_S = 0.3


def _hog():
    held = []
    size = 0
    while size < _RESERVE:
        if size < _TOUCH:
            held.append(b"\x5a" * _BLOCK)  # filled: resident
        else:
            held.append(bytes(_BLOCK))  # calloc'd: address space until touched
        size += _BLOCK
    time.sleep(_HOLD_S)


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    hogs = [mp.Process(target=_hog) for _ in range(_HOGS)]
    for h in hogs:
        h.start()
    for h in hogs:
        h.join()
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
