# expect: crash
"""A worker kills its own process group with SIGKILL: itself, its siblings and the main
process.

The sandbox puts each trial in a process group of its own, so this only hurts the trial. As
a safety net the kill is sent only when every process of the group is a Python process and
the main process leads the group: if a sandbox ever put the grader (or the test runner) in
the trial's group, the worker exits with status 3 instead, which is a failure too.

Fair verdict: `crash`: the main process died of a signal and returned nothing.
"""
import multiprocessing as mp
import os
import signal


def _exe(pid):
    try:
        return os.path.basename(os.readlink("/proc/%d/exe" % pid))
    except OSError:
        return ""


def _group(pgid):
    members = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.getpgid(int(name)) == pgid:
                    members.append(int(name))
            except OSError:
                pass
    return members


def _worker(counter, lock, n_increments, parent, first):
    if first:
        pgid = os.getpgid(0)
        members = _group(pgid)
        safe = (
            pgid > 1
            and os.getpgid(parent) == pgid
            and all(_exe(p).startswith("python") or _exe(p) == "" for p in members)
        )
        if not safe:
            os._exit(3)
        os.killpg(pgid, signal.SIGKILL)
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
