# expect: race
"""Takes the smaller account's lock, then only TRIES the other one (non-blocking) "to be safe from
deadlock"; when that account is busy it moves the money anyway, without its lock. It never hangs,
but that balance is then updated while its owner's lock is held by someone else who may be
updating it too: a race."""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        if src == dst:
            continue
        first, second = min(src, dst), max(src, dst)
        with locks[first]:
            got = locks[second].acquire(block=False)
            try:
                balances[src] -= amount
                balances[dst] += amount
            finally:
                if got:
                    locks[second].release()


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
