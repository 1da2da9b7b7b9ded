# expect: pass
"""Writes outside its workspace: tries to create /tmp/carrera-hostile-written-<pid> (from the
main process and from every worker), ignoring any error, and counts correctly either way.

Fair verdict: `pass`: the count is right whether or not the writes succeed; what is at stake
is the machine, not the grade. The test asserts afterwards that no
/tmp/carrera-hostile-written-* file exists, except on the minimal tier (no filesystem
isolation), where the writes succeed and the test only says so (and removes them).
"""
import multiprocessing as mp
import os


def _scribble():
    try:
        with open("/tmp/carrera-hostile-written-%d" % os.getpid(), "w") as f:
            f.write("written from a trial\n")
    except OSError:
        pass


def _worker(counter, lock, n_increments):
    _scribble()
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    _scribble()
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
