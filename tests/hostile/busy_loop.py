# expect: busy_hang
"""An infinite busy loop: the function spins on the CPU and never returns (60 s at most).

Fair verdict: `busy_hang`: the trial's timeout expires while the tree burns a whole CPU,
which is what tells a busy hang from a deadlock (an idle tree).
"""
import time


def count_with_lock(n_procs, n_increments):
    until = time.monotonic() + 60.0
    x = 0
    while time.monotonic() < until:
        x += 1
    return n_procs * n_increments
