# expect: pass
# expect-minimal: wrong
"""Reads a file outside its workspace: /tmp/carrera-hostile-secret.txt, which the test
creates before grading (standing for hidden tests, other students' work, a teacher's key).

The counting is right, but if the file can be opened and read, the function returns
n_procs * n_increments + 1: a wrong answer that tells the test the read succeeded.

Fair verdict: `pass` where the sandbox keeps files outside the workspace out of reach
(Landlock, a mount namespace): the read fails and the count is right. The minimal tier has no
filesystem isolation: the read succeeds, and every call returns the same wrong value, so
`wrong` (deterministic, not `race`).
"""
import multiprocessing as mp

_SECRET = "/tmp/carrera-hostile-secret.txt"


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def _can_read_secret():
    try:
        with open(_SECRET) as f:
            f.read()
        return True
    except OSError:
        return False


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value + (1 if _can_read_secret() else 0)
