# expect: wrong
"""Keeps the balances in an ordinary list. Each worker gets its own copy of the list (inherited
under fork, pickled under spawn/forkserver) and moves money in that copy; the parent's list never
changes, so the function returns the initial balances."""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        if src == dst:
            continue
        with locks[min(src, dst)]:
            with locks[max(src, dst)]:
                balances[src] -= amount
                balances[dst] += amount


def transfer_all(balances, transfers, n_workers):
    accounts = list(balances)
    locks = [mp.Lock() for _ in balances]
    procs = [mp.Process(target=_worker, args=(accounts, locks, transfers[i::n_workers]))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return accounts
