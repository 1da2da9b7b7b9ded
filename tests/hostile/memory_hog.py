# expect: resource_limit
# expect-minimal: busy_hang
# expect-rootless: busy_hang
"""Memory exhaustion, bounded: four processes, 3 GiB of address space each, 768 MiB of it
really used (touched) and worked on without end (60 s at most).

Each hog process allocates 64 MiB blocks until it holds 3 GiB: the first 768 MiB filled with
data (resident memory), the rest zero-filled on demand (address space only). Then it keeps
rewriting its resident blocks, busy, until told to stop or 60 s pass. One trial thus asks
for 12 GiB of address space and really uses 3 GiB, more than a trial's memory limit
(2 GiB by default, `[limits] memory_mb`; tests/hostile.rs grades with 512 MiB). The bounds keep the machine safe: a few trials at once use
a few GiB at worst, freed when the hogs end. The main process watches the hogs: as soon as
one ends (killed by the memory limit, or failed with MemoryError), it stops the others,
counts correctly (processes, Value, Lock, join) and returns n_procs * n_increments.

Fair verdict: `resource_limit`: the tree used more memory than a trial allows. A tier with a
memory cgroup sees the OOM kill and must report it, even though the function then returns
the right count; a smaller RLIMIT_AS makes an allocation raise MemoryError in a hog, which
the grader already reports as a memory limit. The minimal tier has only RLIMIT_AS, 4 GiB per
process: each hog stays under it and nothing counts the tree's total, so no hog ever ends
and the trial times out with every hog burning CPU: `busy_hang`, which is all the minimal
tier can say (and it is deterministic: the hogs never stop working).

The rootless tier has no memory cgroup either: `busy_hang`, as on the minimal tier.
"""
import multiprocessing as mp
import time

_HOGS = 4
_BLOCK = 64 << 20
_RESERVE = 3 << 30  # address space per hog
_TOUCH = 768 << 20  # of which really used
_WORK_S = 60.0


def _hog(stop):
    pattern = b"\xa5" * _BLOCK  # resident
    resident = [bytearray(b"\x5a") * _BLOCK for _ in range(_TOUCH // _BLOCK - 1)]
    # calloc'd: address space only, until touched
    reserved = [bytes(_BLOCK) for _ in range((_RESERVE - _TOUCH) // _BLOCK)]
    until = time.monotonic() + _WORK_S
    i = 0
    while not stop.value and time.monotonic() < until:
        resident[i % len(resident)][:] = pattern
        i += 1
    del reserved


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    stop = mp.RawValue("b", 0)
    hogs = [mp.Process(target=_hog, args=(stop,)) for _ in range(_HOGS)]
    for h in hogs:
        h.start()
    until = time.monotonic() + _WORK_S
    while time.monotonic() < until and all(h.exitcode is None for h in hogs):
        time.sleep(0.02)
    stop.value = 1
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
