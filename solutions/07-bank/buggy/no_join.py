# expect: leak
"""Starts the workers and returns the balances without join(): the function returns while the
workers are still moving money (usually before they have moved any)."""
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
    shared = mp.Array("q", balances, lock=False)
    locks = [mp.Lock() for _ in balances]
    procs = [mp.Process(target=_worker, args=(shared, locks, transfers[i::n_workers]))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    return shared[:]  # a copy of the balances as they are right now
