# expect: race
"""Takes only the source account's lock. The destination's balance is changed under the lock of a
different account, so two transfers into the same account (from different sources) can overlap
and lose one of the deposits."""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        with locks[src]:
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
