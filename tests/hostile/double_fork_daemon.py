# expect: leak
# expect-rootless: pass
"""The classic double-fork daemon, with its environment cleared.

The counting is right. Then the function forks a child that calls `setsid()` (a new session
and process group) and forks again; the first child exits at once and is reaped, so the
grandchild is an orphan, re-parented away from the trial. The grandchild points its standard
streams at /dev/null, closes every other descriptor and `execve`s
`python -c "import time; time.sleep(600)  # carrera-hostile-daemon double-fork"` with an
empty environment: no `CARRERA_TRIAL` marker in /proc/<pid>/environ, not in the trial's
process group, and no parent in the trial.

Fair verdict: `leak` (a process outlived the program). Only a grader that owns the tree
(cgroup, PID namespace, or a subreaper that adopts the orphan) sees it. Bounded: 600 s.

On the rootless tier, which has no cgroup to hold the tree, seccomp refuses `setsid`: the
first child exits at once (the `finally`), no daemon ever exists, and the count is right:
`pass`. Nothing is left running, which the test checks on every tier.
"""
import multiprocessing as mp
import os
import sys

_DAEMON = "import time; time.sleep(600)  # carrera-hostile-daemon double-fork"


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def _double_fork():
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 4096)
                os.execve(sys.executable, [sys.executable, "-c", _DAEMON], {})
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    _double_fork()
    return counter.value
