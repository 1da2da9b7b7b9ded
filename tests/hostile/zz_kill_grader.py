# expect: pass
"""Tries to kill the grader: from a worker, SIGKILL to every `carrera` process it can see
outside its own process tree.

Targets: every pid in /proc whose /proc/<pid>/exe is named `carrera` and whose command line
contains "carrera", that is not this trial's (its process group), and that either is an
ancestor of this worker or carries `CARRERA_HOSTILE_VICTIM=1` in its environment (the test
sets it on the batch it runs). That last condition is a safety net for a shared machine: other
people's `carrera` runs, and the test runner itself (not named `carrera`), are never touched.
Bounded: one pass over /proc, one signal per target. The counting is right either way.

Fair verdict: `pass`: a sandbox must keep the grader out of reach (a PID namespace hides it,
a different uid or Landlock's signal scope makes the kill fail). The test checks that the
batch exited normally and graded every submission; on a tier where the kill succeeds the
batch dies of SIGKILL here, and the test says so. The file is named to sort last, so that a
killed batch has already graded and saved everything else.
"""
import multiprocessing as mp
import os
import signal


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _exe(pid):
    try:
        return os.path.basename(os.readlink("/proc/%d/exe" % pid))
    except OSError:
        return ""


def _ancestors():
    seen = set()
    pid = os.getpid()
    for _ in range(64):
        stat = _read("/proc/%d/stat" % pid)
        try:
            ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        except (IndexError, ValueError):
            break
        if ppid <= 1 or ppid in seen:
            break
        seen.add(ppid)
        pid = ppid
    return seen


def _kill_graders():
    mine = os.getpgid(0)
    ancestors = _ancestors()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        pid = int(name)
        if pid == os.getpid() or _exe(pid) != "carrera":
            continue
        if b"carrera" not in _read("/proc/%d/cmdline" % pid):
            continue
        try:
            if os.getpgid(pid) == mine:
                continue
        except OSError:
            continue
        tagged = b"CARRERA_HOSTILE_VICTIM=1" in _read("/proc/%d/environ" % pid).split(b"\0")
        if pid in ancestors or tagged:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _worker(counter, lock, n_increments, first):
    if first:
        _kill_graders()
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [
        mp.Process(target=_worker, args=(counter, lock, n_increments, i == 0))
        for i in range(n_procs)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
