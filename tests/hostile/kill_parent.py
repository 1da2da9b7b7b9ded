# expect: crash
"""A worker kills its parent, the trial's main process, with SIGKILL.

The workers count correctly, but the first one, before its increments, sends SIGKILL to the
process that started it. Under fork and spawn that is `os.getppid()`; under forkserver a
worker's parent is the fork server, so the main process passes its own pid to the workers and
that pid is the target (the intent is the same under every start method, so the verdict is).
As a safety net the target must be a Python process of this worker's own process group:
never the grader, whatever the sandbox does with process groups.

Fair verdict: `crash`: the main process died of a signal and returned nothing. The other
workers are left orphaned; the grader must still kill them (the test checks nothing of the
trial survives).
"""
import multiprocessing as mp
import os
import signal


def _exe(pid):
    try:
        return os.path.basename(os.readlink("/proc/%d/exe" % pid))
    except OSError:
        return ""


def _worker(counter, lock, n_increments, parent, first):
    if first:
        safe = (
            parent > 1
            and _exe(parent).startswith("python")
            and os.getpgid(parent) == os.getpgid(0)
        )
        if safe:
            os.kill(parent, signal.SIGKILL)
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    me = os.getpid()
    procs = [
        mp.Process(target=_worker, args=(counter, lock, n_increments, me, i == 0))
        for i in range(n_procs)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
