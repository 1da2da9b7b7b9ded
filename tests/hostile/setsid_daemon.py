# expect: leak
# expect-rootless: crash
"""A daemon that outlives the trial: a new session, an empty environment, no inherited fds.

The counting is right (processes, a shared Value, a Lock, all joined). But the function also
starts `python -c "import time; time.sleep(600)  # carrera-hostile-daemon"` with
`start_new_session=True` (its own session and process group, so `killpg` misses it),
`env={}` (so the `CARRERA_TRIAL` marker the grader looks for in /proc/<pid>/environ is gone)
and `close_fds=True` with /dev/null for its standard streams (so it holds none of the trial's
pipes open, which would give it away). Its parent, the trial's main process, exits without
waiting for it: it is re-parented and sleeps on.

Fair verdict: `leak`: the program left a process running after it ended. A grader that owns
the whole tree (a cgroup with `cgroup.kill`, a PID namespace, or a child subreaper that
collects the orphan) finds and kills it. Finding it by process group or by environment marker
alone does not: the test then finds it after the batch by the `carrera-hostile` in its
command line. The sleep is bounded (600 s) so that it cannot outlive the machine's session.

On the rootless tier, which has no cgroup to hold the tree, seccomp refuses `setsid`: the
`Popen(start_new_session=True)` raises PermissionError in the function, so no daemon ever
exists and the trial crashes: `crash`.
"""
import multiprocessing as mp
import subprocess
import sys


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def _daemonise():
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)  # carrera-hostile-daemon"],
        start_new_session=True,
        env={},
        close_fds=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    _daemonise()
    return counter.value
