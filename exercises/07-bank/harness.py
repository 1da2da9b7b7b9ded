"""07-bank harness: runs inside the student's process tree and only reports what it saw.

The case gives a seed and sizes; the balances and the transfers are generated here, the same way
in every run (a small LCG, so they do not depend on the Python version).

Each transfer's amount is an `Amount`: an int that behaves exactly like its value, except that
when it is added to or subtracted from a plain int (`balances[dst] += amount`,
`balances[src] - amount`) it records a trace event in the process doing it, in order with that
process's lock events. The judge uses them to see which locks were held while each account was
updated (`debit` = `x - amount`, the source; `credit` = `x + amount` or `amount + x`, the
destination). The class lives at module level so that spawn/forkserver children can unpickle it.
"""
from carrera_rt import trace


class Amount(int):
    """An int that notes where it is used to move money. Arithmetic results are plain ints."""

    def __new__(cls, value, index, src, dst):
        self = int.__new__(cls, value)
        self.index, self.src, self.dst = index, src, dst
        return self

    def __reduce__(self):
        return (Amount, (int(self), self.index, self.src, self.dst))

    def _note(self, kind, account):
        # account:transfer index:src>dst:amount, so the judge can name the transfer.
        trace.record(kind, "%d:%d:%d>%d:%d" % (account, self.index, self.src, self.dst, int(self)))

    def __rsub__(self, other):           # other - amount: money leaves the source
        if type(other) is int:
            self._note("debit", self.src)
        return int.__rsub__(self, other)

    def __radd__(self, other):           # other + amount: money reaches the destination
        if type(other) is int:
            self._note("credit", self.dst)
        return int.__radd__(self, other)

    def __add__(self, other):            # amount + other
        if type(other) is int:
            self._note("credit", self.dst)
        return int.__add__(self, other)


def _lcg(seed):
    x = seed & 0xFFFFFFFFFFFFFFFF
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        yield x >> 24


def make_case(seed, n_accounts, n_transfers):
    """Plain data: (balances, [(src, dst, amount)]). 1 transfer in 16 or so has src == dst."""
    r = _lcg(seed)
    balances = [next(r) % 501 for _ in range(n_accounts)]
    transfers = []
    for _ in range(n_transfers):
        src = next(r) % n_accounts
        dst = src if next(r) % 16 == 0 else (src + 1 + next(r) % (n_accounts - 1)) % n_accounts
        transfers.append((src, dst, 1 + next(r) % 100))
    return balances, transfers


def apply_in_order(balances, transfers):
    out = list(balances)
    for src, dst, amount in transfers:
        out[src] -= amount
        out[dst] += amount
    return out


def run(fn, seed, n_accounts, n_transfers, n_workers):
    balances, plain = make_case(seed, n_accounts, n_transfers)
    transfers = [(s, d, Amount(a, i, s, d)) for i, (s, d, a) in enumerate(plain)]
    return {"result": fn(balances, transfers, n_workers)}
