# expect: pass
"""07-bank, alternative style: Pool + one Value and one Lock per account, lowest index first.

Each account has its own ``Value('q', ..., lock=False)`` and its own
``multiprocessing.Lock``; both lists are handed to one ``Pool(n_workers)`` through its
initializer. The transfers are dealt round-robin into ``n_workers`` parts, and each
task, for every transfer with ``src != dst``, takes the lock of the smaller account
number first, then the larger, moves the money, and releases in reverse order.
"""
import multiprocessing

_accounts = None
_locks = None


def _keep(accounts, locks):
    global _accounts, _locks
    _accounts = accounts
    _locks = locks


def _run_part(part):
    for src, dst, amount in part:
        if src == dst:
            continue
        first, second = (src, dst) if src < dst else (dst, src)
        _locks[first].acquire()
        _locks[second].acquire()
        try:
            _accounts[src].value = _accounts[src].value - amount
            _accounts[dst].value = _accounts[dst].value + amount
        finally:
            _locks[second].release()
            _locks[first].release()
    return None


def transfer_all(balances: list, transfers: list, n_workers: int) -> list:
    accounts = [multiprocessing.Value("q", b, lock=False) for b in balances]
    locks = [multiprocessing.Lock() for _ in balances]
    parts = [list(transfers[i::n_workers]) for i in range(n_workers)]
    pool = multiprocessing.Pool(n_workers, initializer=_keep, initargs=(accounts, locks))
    try:
        pool.map(_run_part, parts, chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return [a.value for a in accounts]
