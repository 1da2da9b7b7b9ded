# expect: pass
# expect-minimal: wrong
"""Opens a network connection: TCP to 127.0.0.1:47613, where the test listens.

The counting is right, but if `connect` succeeds the function returns
n_procs * n_increments + 1, so the grade tells whether the trial could reach the network.
Loopback only, one connection per call, one second at most.

Fair verdict: `pass` where trials have no network (a network namespace, seccomp or Landlock
TCP rules): the connection fails and the count is right. The minimal tier has no network
isolation: every call connects and returns the same wrong value, so `wrong`.
"""
import multiprocessing as mp
import socket

_ADDRESS = ("127.0.0.1", 47613)


def _worker(counter, lock, n_increments):
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def _can_connect():
    try:
        with socket.create_connection(_ADDRESS, timeout=1.0):
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
    return counter.value + (1 if _can_connect() else 0)
