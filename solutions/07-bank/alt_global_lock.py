# expect: pass
"""07-bank, alternative style: one global Lock, Process objects, contiguous slices.

The balances live in ``Array('q', balances, lock=False)``. A single
``multiprocessing.Lock`` created by the parent guards every transfer (the statement
allows one global lock instead of per-account locks). The transfers are cut into
``n_workers`` contiguous slices, one per ``Process``; ``src == dst`` is skipped.
"""
import multiprocessing


def _apply(bal, lock, part):
    for src, dst, amount in part:
        if src == dst:
            continue
        with lock:
            bal[src] = bal[src] - amount
            bal[dst] = bal[dst] + amount


def transfer_all(balances: list, transfers: list, n_workers: int) -> list:
    bal = multiprocessing.Array("q", balances, lock=False)
    lock = multiprocessing.Lock()
    n = len(transfers)
    edges = [n * i // n_workers for i in range(n_workers + 1)]
    procs = [
        multiprocessing.Process(target=_apply, args=(bal, lock, list(transfers[edges[i]:edges[i + 1]])))
        for i in range(n_workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(bal)
