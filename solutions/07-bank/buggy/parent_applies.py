# expect: not_parallel
"""The parent applies every transfer itself (correctly, with the locks in order) and then starts
workers that do nothing: the balances are right, but nothing ran in parallel."""
import multiprocessing as mp


def _idle():
    pass


def transfer_all(balances, transfers, n_workers):
    shared = mp.Array("q", balances, lock=False)
    locks = [mp.Lock() for _ in balances]
    for src, dst, amount in transfers:
        if src == dst:
            continue
        with locks[min(src, dst)]:
            with locks[max(src, dst)]:
                shared[src] -= amount
                shared[dst] += amount
    procs = [mp.Process(target=_idle) for _ in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(shared)
