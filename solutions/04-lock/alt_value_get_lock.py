# expect: pass
"""04-lock, alternative style: a Process subclass and the Value's own lock.

Instead of creating a separate ``multiprocessing.Lock`` next to a lock-free
counter, the counter is a synchronised ``multiprocessing.Value`` and the
critical section is guarded by the lock it carries, obtained with
``get_lock()``. Each child is an instance of a top-level ``Process`` subclass
that holds the shared counter as an attribute (pickled together with the
process object under spawn/forkserver, inherited under fork).
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
    # Created in the parent, inside the function: one counter and one lock,
    # shared by every child. The Value's own lock is kept on purpose: it is a
    # recursive multiprocessing.RLock, and it has to be, because the
    # ``.value`` property re-acquires it internally while we already hold it
    # through get_lock(). A plain Lock passed as ``lock=`` would deadlock.
    counter = multiprocessing.Value("q", 0)

    workers = [Incrementer(counter, n_increments) for _ in range(n_procs)]
    for w in workers:  # start them all first...
        w.start()
    for w in workers:  # ...then wait for them all
        w.join()

    with counter.get_lock():
        return counter.value


if __name__ == "__main__":
    print(count_with_lock(4, 1000))
