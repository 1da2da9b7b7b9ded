# expect: deadlock
"""Takes the locks in a global order (smaller account first), but does not handle src == dst: a
transfer from an account to itself takes the same Lock twice. A multiprocessing.Lock is not
recursive, so the second acquire waits for ever for the process itself to release it."""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        first, second = min(src, dst), max(src, dst)
        with locks[first]:
            with locks[second]:
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
