# expect: deadlock
"""A sleeper that ignores SIGTERM, and a parent that waits for it.

The counting is right. Then the function starts one more process that ignores SIGTERM and
sleeps (120 s at most); the parent ignores SIGTERM too, calls `terminate()` on it (SIGTERM,
ignored) and `join()`s it: the whole tree sleeps, with nothing left to wake it. A grader
that stops a tree politely (SIGTERM, then waiting) would wait forever; it must SIGKILL.

Fair verdict: `deadlock`: the trial's timeout expires with every process idle, blocked
waiting (the report shows the `join()` line). Not `busy_hang`: nothing burns CPU.
"""
import multiprocessing as mp
import signal
import time


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def _sleeper():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    until = time.monotonic() + 120.0
    while time.monotonic() < until:
        time.sleep(max(0.0, until - time.monotonic()))


def count_with_lock(n_procs, n_increments):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    sleeper = mp.Process(target=_sleeper)
    sleeper.start()
    time.sleep(0.2)  # let it install its handler
    sleeper.terminate()
    sleeper.join()
    return counter.value
