# expect: leak
"""Children never joined: the workers count correctly, then linger a little (0.5 s); the
function waits until the shared counter shows every increment and returns the right value,
without ever calling `join()`, so the workers are still alive when it returns.

Fair verdict: `leak`: processes started by the function are alive (and unjoined) when it
returns, which the contract forbids. The value is right, so it is not `wrong`. (The linger
is short on purpose: at exit, multiprocessing itself joins the children it started, and a
long linger would turn the trial into a timeout instead.)
"""
import multiprocessing as mp
import time


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1
    time.sleep(0.5)


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    target = n_procs * n_increments
    deadline = time.monotonic() + 30.0
    while time.monotonic() < deadline:
        with lock:
            if counter.value >= target:
                break
        time.sleep(0.01)
    with lock:
        return counter.value
