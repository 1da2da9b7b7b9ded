"""Reference solution for 07-bank.

Balances in a raw shared Array, one multiprocessing.Lock per account. Every transfer takes the two
locks in one global order (the smaller account index first), so no two processes can each hold
one lock while waiting for the other's. A transfer from an account to itself changes nothing and
takes no lock (taking the same Lock twice would block for ever).
"""
import multiprocessing as mp


def _worker(balances, locks, transfers):
    for src, dst, amount in transfers:
        if src == dst:
            continue
        first, second = (src, dst) if src < dst else (dst, src)
        with locks[first]:
            with locks[second]:
                balances[src] -= amount
                balances[dst] += amount


def transfer_all(balances, transfers, n_workers):
    shared = mp.Array("q", balances, lock=False)  # the locks below protect it
    locks = [mp.Lock() for _ in balances]
    procs = [
        mp.Process(target=_worker, args=(shared, locks, transfers[i::n_workers]))
        for i in range(n_workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(shared)


if __name__ == "__main__":
    print(transfer_all([100, 50, 0], [(0, 1, 30), (1, 2, 70), (2, 0, 10), (1, 1, 5)], 2))
