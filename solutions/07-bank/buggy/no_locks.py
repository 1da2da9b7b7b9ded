# expect: race
"""Creates one Lock per account but never takes them, trusting the Array's own lock. That lock is
taken separately for the read and for the write of `balances[src] -= amount`, so two processes
updating the same account can both read the old balance, and one of the updates is lost."""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        balances[src] -= amount
        balances[dst] += amount


def transfer_all(balances, transfers, n_workers):
    shared = mp.Array("q", balances)
    locks = [mp.Lock() for _ in balances]
    procs = [mp.Process(target=_worker, args=(shared, locks, transfers[i::n_workers]))
             for i in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(shared)
