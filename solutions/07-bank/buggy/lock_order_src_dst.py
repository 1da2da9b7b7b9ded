# expect: deadlock
"""Takes the source account's lock first and then the destination's. A transfer 1 -> 3 holds lock 1
and waits for lock 3 while a transfer 3 -> 1 in another process holds lock 3 and waits for lock 1:
each waits for the other for ever (lock-order inversion). It only hangs under some interleavings."""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        if src == dst:
            continue
        with locks[src]:
            with locks[dst]:
                balances[src] -= amount
                balances[dst] += amount


def transfer_all(balances, transfers, n_workers):
    shared = mp.Array("q", balances, lock=False)
    locks = [mp.Lock() for _ in balances]
    procs = [mp.Process(target=_worker, args=(shared, locks, transfers[i::n_workers]))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(shared)
