# expect: resource_limit
# expect-minimal: leak
# expect-rootless: leak
"""Fork bomb, bounded for safety: at most 400 bomb processes in total, each sleeping.

The counting itself is right and done first (processes, a shared Value, a Lock). Then the
function starts a bomb: every bomb process forks two more, and those do the same, until the
400 slots of a shared counter (a file under an exclusive flock, in the working folder) are
taken or a fork fails. Each bomb process sleeps 60 s at most, then exits by itself. The
function returns the right count once the bomb has used its 400 slots (or a fork failed, or
5 s passed), leaving the sleepers behind.

Fair verdict: `resource_limit`, "loops that create processes without end". A tier with a
process limit (a pids cgroup, or RLIMIT_NPROC under a non-root uid) stops the bomb well below
400 and must say so. The minimal tier has no process limit (run as root, RLIMIT_NPROC does not
apply): the 400 sleepers all start, and what it can see is that they outlive the function: a
`leak`, and it must kill every one of them (they keep the process group and the trial marker).

On the rootless tier (no cgroup) nothing counts the tree's processes, so the bomb reaches its
own bound and its processes, left behind, are reported and killed: `leak`.
"""
import fcntl
import multiprocessing as mp
import os
import time

_SLOTS = 400  # bomb processes, in total, ever: the safety bound
_FANOUT = 2
_SLEEP_S = 60.0  # each bomb process exits by itself after this
_WAIT_S = 5.0  # the function waits this long at most for the bomb to spread
_SLOTS_FILE = "bomb.slots"
_FAILED_FILE = "bomb.failed"


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def _count(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value


def _claim(fd):
    """Takes one of the slots (one byte appended to the file); False when all are taken."""
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        if os.fstat(fd).st_size >= _SLOTS:
            return False
        os.write(fd, b"x")
        return True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _bomb_process(fd, until):
    """The body of every bomb process: fork more of itself, then sleep. Never returns."""
    try:
        for _ in range(_FANOUT):
            if not _claim(fd):
                break
            try:
                pid = os.fork()
            except OSError:
                # A process limit held: note it for the function, and stop spreading.
                with open(_FAILED_FILE, "a") as f:
                    f.write("fork failed\n")
                break
            if pid == 0:
                _bomb_process(fd, until)
        while time.monotonic() < until:
            time.sleep(min(5.0, max(0.0, until - time.monotonic())))
    finally:
        os._exit(0)


def count_with_lock(n_procs, n_increments):
    result = _count(n_procs, n_increments)
    fd = os.open(_SLOTS_FILE, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
    until = time.monotonic() + _SLEEP_S
    if _claim(fd):
        try:
            if os.fork() == 0:
                _bomb_process(fd, until)
        except OSError:
            pass
    deadline = time.monotonic() + _WAIT_S
    while time.monotonic() < deadline:
        if os.fstat(fd).st_size >= _SLOTS or os.path.exists(_FAILED_FILE):
            break
        time.sleep(0.02)
    time.sleep(0.2)  # let the last forks finish
    os.close(fd)
    return result
