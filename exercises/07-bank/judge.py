"""07-bank judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. carrera compares the final
balances with the expected ones; this adds what only the traces can show, for runs whose balances
came out right:

1. `not_parallel`: fewer than n_workers processes were started.
2. `race`: a worker updated an account without a lock that every worker update of that account
   held. The harness's amounts record `debit`/`credit` events at `x - amount` / `x + amount`, in
   order with the process's `lock_acquire`/`lock_release` events, so the judge knows which locks
   each process held at every update. In a correct solution every update of account k happens
   inside a critical section guarded by k's lock (or by one global lock), so some lock is held
   during all of them; a transfer that skips a lock (no lock, a try-lock that falls back to no
   lock, only the source's lock) leaves an update outside it. The parent's arithmetic is left
   out (a total or a check there is not a transfer).
3. `deadlock`: a lock-order inversion. From each process's events we build "held -> acquired"
   edges (lock a was held when lock b was acquired). Two processes whose edges form a cycle
   (a -> b in one, b -> a in the other) can each take their first lock and wait for ever for
   the second: a deadlock waiting for the right interleaving, even if this run did not hang (or
   if the processes happened not to overlap at all: with no start gate a short worker can finish
   before the next one starts, and the code is just as wrong). A cycle only counts if its edges
   come from distinct processes that held no lock in common when they made them (a common
   "gate" lock, like a global lock taken first, makes the two orders mutually exclusive).
   Re-acquiring a recursive lock already held (the RLock of a synchronised Value/Array) adds no
   edge. A solution that always takes its locks in one global order (e.g. the smaller account
   first, or one global lock) never forms a cycle.
4. `not_parallel`: every balance update happened in the parent.

Events are capped per process (2000); a truncated list is still an exact prefix, so what is
derived from it is exact for that prefix. A child killed before writing its trace (a Pool's
terminate()) is simply not seen: the checks use what was seen, and the parent-only check is
skipped.
"""

from itertools import islice, product

MAX_CYCLE = 4        # longest lock cycle looked for (two processes and two locks is the classic)
MAX_PICKS = 20000    # per cycle: ways of assigning processes to its edges that are tried


def _problem(verdict, en, es):
    return [{"verdict": verdict, "en": en, "es": es}]


def _parse_update(key):
    """'account:index:src>dst:amount' -> (account, index, src, dst, amount), or None."""
    try:
        account, index, pair, amount = key.split(":")
        src, dst = pair.split(">")
        return int(account), int(index), int(src), int(dst), int(amount)
    except (AttributeError, ValueError):
        return None


class _Analysis(object):
    def __init__(self):
        self.edges = {}      # (a, b) -> {(pid, frozenset(held))}
        self.updates = {}    # account -> [(pid, frozenset(held), kind, index, src, dst, amount)]
        self.names = {}      # pid -> process name
        self.order = {}      # lock key -> first-seen ordinal (for messages)

    def walk(self, trace):
        pid = trace.get("pid")
        events = trace.get("events") or []
        self.names[pid] = trace.get("name") or ("pid %s" % pid)
        held = {}
        for e in events:
            if not isinstance(e, list) or len(e) < 3:
                continue
            kind, key = e[1], e[2]
            if not isinstance(key, str):
                continue
            if kind == "lock_acquire":
                self.order.setdefault(key, len(self.order) + 1)
                if held.get(key):
                    held[key] += 1     # re-entering an RLock: it cannot block
                    continue
                if held:
                    snapshot = frozenset(held)
                    for h in held:
                        self.edges.setdefault((h, key), set()).add((pid, snapshot))
                held[key] = 1
            elif kind == "lock_release":
                c = held.get(key, 0)
                if c > 1:
                    held[key] = c - 1
                elif c == 1:
                    del held[key]
            elif kind in ("debit", "credit"):
                parsed = _parse_update(key)
                if parsed is None:
                    continue
                account, index, src, dst, amount = parsed
                self.updates.setdefault(account, []).append(
                    (pid, frozenset(held), kind, index, src, dst, amount))

    # -- lock names for the messages -----------------------------------------------------------

    def lock_names(self):
        """Map a lock key to account k when the updates suggest it is k's lock: the one lock held
        in more of k's updates than any other, leaving out locks held at every update of every
        account (a global lock), and claimed by no other account. Only used in the messages."""
        everywhere = None
        for ups in self.updates.values():
            for u in ups:
                everywhere = u[1] if everywhere is None else everywhere & u[1]
        everywhere = everywhere or frozenset()
        owners = {}
        for account, ups in self.updates.items():
            counts = {}
            for u in ups:
                for key in u[1] - everywhere:
                    counts[key] = counts.get(key, 0) + 1
            if not counts:
                continue
            best = max(counts.values())
            top = [key for key, c in counts.items() if c == best]
            if len(top) == 1:
                owners.setdefault(top[0], set()).add(account)
        return {key: min(accts) for key, accts in owners.items() if len(accts) == 1}

    def describe(self, key, names, lang):
        if key in names:
            return ("the lock of account %d" if lang == "en" else "el lock de la cuenta %d") % names[key]
        n = self.order.get(key, 0)
        return ("lock #%d" if lang == "en" else "el lock #%d") % n

    # -- checks --------------------------------------------------------------------------------

    def unprotected(self, main_pid):
        """(account, update_a, update_b | None): an update outside a lock common to all. Only
        the workers' updates count: arithmetic with an amount in the parent (a total, a
        check) is not a transfer, and a parent that does the transfers is check 4's business."""
        for account in sorted(self.updates):
            ups = [u for u in self.updates[account] if u[0] != main_pid]
            if not ups:
                continue
            for u in ups:
                if not u[1]:
                    return account, u, None
            common = frozenset.intersection(*[u[1] for u in ups])
            if common:
                continue
            # Two updates with no lock in common show it; find a pair to name.
            for i in range(len(ups)):
                for j in range(i + 1, len(ups)):
                    if not (ups[i][1] & ups[j][1]):
                        return account, ups[i], ups[j]
            return account, ups[0], ups[-1]
        return None

    def _assign(self, cycle):
        """Pick one (pid, held) per edge of the key cycle: distinct pids, disjoint held sets."""
        edges = [(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))]
        choices = [sorted(self.edges[e], key=lambda x: (x[0], sorted(x[1]))) for e in edges]
        for pick in islice(product(*choices), MAX_PICKS):
            pids = [p for p, _ in pick]
            if len(set(pids)) != len(pids):
                continue
            helds = [h for _, h in pick]
            if any(helds[i] & helds[j] for i in range(len(helds)) for j in range(i + 1, len(helds))):
                continue
            return list(zip(edges, pick))
        return None

    def inversion(self):
        """A cycle of 'held -> acquired' edges that distinct processes could close together."""
        graph = {}
        for a, b in self.edges:
            if a != b:
                graph.setdefault(a, set()).add(b)
        keys = sorted(graph, key=lambda k: self.order.get(k, 0))
        # Shortest cycles first: two processes, two locks is the classic case.
        for length in range(2, MAX_CYCLE + 1):
            for start in keys:
                found = self._cycles_from(graph, start, length)
                for cycle in found:
                    assigned = self._assign(cycle)
                    if assigned:
                        return assigned
        return None

    def _cycles_from(self, graph, start, length):
        """Simple cycles of exactly `length` keys through `start` (start is the smallest)."""
        rank = self.order.get
        out = []

        def go(path):
            last = path[-1]
            for nxt in sorted(graph.get(last, ()), key=lambda k: rank(k, 0)):
                if len(path) == length:
                    if nxt == start:
                        out.append(list(path))
                    continue
                if nxt in path or rank(nxt, 0) <= rank(start, 0):
                    continue
                path.append(nxt)
                go(path)
                path.pop()
                if len(out) > 50:
                    return

        go([start])
        return out


def _transfer(u, lang):
    _pid, _held, _kind, index, src, dst, amount = u
    if lang == "en":
        return "transfer #%d (%d -> %d, amount %d)" % (index, src, dst, amount)
    return "la transferencia #%d (%d -> %d, monto %d)" % (index, src, dst, amount)


def _held_text(an, held, names, lang):
    if not held:
        return "no lock at all" if lang == "en" else "ningún lock"
    parts = sorted(an.describe(k, names, lang) for k in held)
    return " and ".join(parts) if lang == "en" else " y ".join(parts)


def check(case, expected, observation):
    _seed, _n_accounts, _n_transfers, n_workers = case["args"]
    main_pid = observation.get("main_pid")
    children = observation.get("children") or []
    traces = observation.get("traces") or []

    if len(children) < n_workers:
        return _problem(
            "not_parallel",
            "n_workers = %d, but the function started %d process(es): start exactly n_workers "
            "workers (Process or Pool(n_workers))." % (n_workers, len(children)),
            "n_workers = %d, pero la función arrancó %d proceso(s): hay que arrancar exactamente "
            "n_workers trabajadores (Process o Pool(n_workers))." % (n_workers, len(children)))

    an = _Analysis()
    for t in traces:
        an.walk(t)
    names = an.lock_names()

    bad = an.unprotected(main_pid)
    if bad is not None:
        account, u1, u2 = bad
        who1 = an.names.get(u1[0], u1[0])
        if u2 is None:
            en = ("Account %d was updated by %s in %s while it held no lock at all. Another "
                  "process can update the same balance at the same moment and one of the two "
                  "changes is lost (a race condition); this run happened not to lose any. Hold "
                  "both accounts' locks for the whole transfer."
                  % (account, who1, _transfer(u1, "en")))
            es = ("La cuenta %d fue actualizada por %s en %s sin ningún lock tomado. Otro "
                  "proceso puede actualizar el mismo saldo en el mismo momento y uno de los dos "
                  "cambios se pierde (condición de carrera); esta vez no se perdió ninguno. Hay "
                  "que tener tomados los locks de las dos cuentas durante toda la transferencia."
                  % (account, who1, _transfer(u1, "es")))
        else:
            who2 = an.names.get(u2[0], u2[0])
            en = ("Account %d was updated by %s in %s holding %s, and by %s in %s holding %s: no "
                  "lock was held during both updates, so they can run at the same moment and one "
                  "of the changes is lost (a race condition); this run happened not to lose any. "
                  "Every update of an account must hold that account's lock: hold both accounts' "
                  "locks for the whole transfer (a lock you could not get is not a lock you may "
                  "skip)."
                  % (account, who1, _transfer(u1, "en"), _held_text(an, u1[1], names, "en"),
                     who2, _transfer(u2, "en"), _held_text(an, u2[1], names, "en")))
            es = ("La cuenta %d fue actualizada por %s en %s con %s tomado, y por %s en %s con %s "
                  "tomado: ningún lock estuvo tomado en las dos actualizaciones, así que pueden "
                  "ocurrir a la vez y uno de los cambios se pierde (condición de carrera); esta "
                  "vez no se perdió ninguno. Toda actualización de una cuenta debe hacerse con el "
                  "lock de esa cuenta: hay que tener tomados los dos locks durante toda la "
                  "transferencia (un lock que no se pudo conseguir no se puede saltear)."
                  % (account, who1, _transfer(u1, "es"), _held_text(an, u1[1], names, "es"),
                     who2, _transfer(u2, "es"), _held_text(an, u2[1], names, "es")))
        return _problem("race", en, es)

    cycle = an.inversion()
    if cycle is not None:
        steps_en, steps_es = [], []
        for (a, b), (pid, _held) in cycle:
            who = an.names.get(pid, pid)
            steps_en.append("%s took %s and then, still holding it, %s"
                            % (who, an.describe(a, names, "en"), an.describe(b, names, "en")))
            steps_es.append("%s tomó %s y después, sin soltarlo, %s"
                            % (who, an.describe(a, names, "es"), an.describe(b, names, "es")))
        en = ("Lock-order inversion: %s. If each of them takes its first lock at the same moment, "
              "each one waits for ever for a lock the other holds: a deadlock. This run did not "
              "hang, but another interleaving will. Take the two locks of a transfer always in "
              "the same global order, for example the smaller account number first."
              % "; ".join(steps_en))
        es = ("Inversión del orden de los locks: %s. Si cada uno toma su primer lock en el mismo "
              "momento, cada uno espera para siempre un lock que tiene el otro: un deadlock. "
              "Esta vez no se colgó, pero con otro entrelazado sí. Hay que tomar los dos locks de "
              "una transferencia siempre en el mismo orden global, por ejemplo primero la cuenta "
              "de número menor." % "; ".join(steps_es))
        return _problem("deadlock", en, es)

    traced = {t.get("pid") for t in traces}
    if all(c.get("pid") in traced for c in children):
        pids = {u[0] for ups in an.updates.values() for u in ups}
        if pids and pids <= {main_pid}:
            return _problem(
                "not_parallel",
                "Every balance was updated by the parent process: the workers did not apply "
                "any transfer. The workers must do the transfers.",
                "Todos los saldos los actualizó el proceso padre: los trabajadores no hicieron "
                "ninguna transferencia. Las transferencias las tienen que hacer los trabajadores.")
    return []
