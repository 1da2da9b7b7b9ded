# expect: deadlock
# Written as a "correct" solution from the statement alone; carrera caught that it hangs:
# Value(..., lock=Lock()) makes get_lock() a plain Lock, and reading `counter.value` takes that
# same lock again inside `with lock:`. A non-recursive Lock taken twice blocks for ever.
"""04-lock, alternative style: a Process subclass and the Value's own lock.

Instead of creating a separate ``multiprocessing.Lock`` and a lock-free counter,
the counter is a synchronised ``multiprocessing.Value`` whose lock is obtained
with ``get_lock()``. Each child is an instance of a top-level ``Process``
subclass that carries the shared counter as an attribute (it is pickled with
the process object under spawn/forkserver, inherited under fork).
"""
import multiprocessing


class Incrementer(multiprocessing.Process):
    """A child process that adds 1 to a shared counter ``n_increments`` times."""

    def __init__(self, counter, n_increments):
        super().__init__()
        self.counter = counter
        self.n_increments = n_increments

    def run(self):
        counter = self.counter
        lock = counter.get_lock()
        for _ in range(self.n_increments):
            # The whole read-add-write is the critical section.
            with lock:
                counter.value += 1


def count_with_lock(n_procs: int, n_increments: int) -> int:
    # Created in the parent, inside the function: one counter, one lock,
    # shared by every child. Passing lock=multiprocessing.Lock() makes
    # get_lock() hand back a plain (non-recursive) multiprocessing.Lock.
    counter = multiprocessing.Value("q", 0, lock=multiprocessing.Lock())

    workers = [Incrementer(counter, n_increments) for _ in range(n_procs)]
    for w in workers:          # start them all first...
        w.start()
    for w in workers:          # ...then wait for them all
        w.join()

    with counter.get_lock():
        return counter.value


if __name__ == "__main__":
    print(count_with_lock(4, 1000))
