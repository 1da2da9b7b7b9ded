"""06-histogram judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. carrera compares the histogram
itself with the expected one; this adds what only the trace can show.

Every correct solution (see the statement) starts n_workers worker processes, and its workers add
their counts to the shared Array while holding a multiprocessing lock: the Array's own lock
(taken by `arr[i]` on a synchronised Array, or by `with arr.get_lock():`), or a separate Lock that
guards a raw Array. A Pool's workers also take the Pool's internal locks. So, whenever there is
data to count, at least one child process takes a lock. If no process at all took a lock, the
counts reached the Array unprotected: a race, whether or not an update was lost this time (the
runtime's noise does not reach raw arrays, so lost updates there show up only now and then).
Children killed before writing their trace (Pool.terminate(), called by `with Pool(...)`) leave
nothing to judge, and then the lock checks are skipped.
"""

# check() reads counts, not trace events: carrera leaves the events out, and trials go faster.
EVENTS = False


def _locks(trace):
    return trace.get("counts", {}).get("lock_acquire", 0)


def check(case, expected, observation):
    _seed, length, _n_bins, n_workers = case["args"][:4]
    main_pid = observation.get("main_pid")
    children = observation.get("children") or []
    if len(children) < n_workers:
        return [{
            "verdict": "not_parallel",
            "en": f"n_workers = {n_workers}, but the function started {len(children)} "
                  f"process(es): start exactly n_workers workers (Process or Pool(n_workers)), "
                  f"even if some of them get no values.",
            "es": f"n_workers = {n_workers}, pero la función arrancó {len(children)} "
                  f"proceso(s): hay que arrancar exactamente n_workers trabajadores (Process o "
                  f"Pool(n_workers)), aunque alguno no reciba valores.",
        }]
    if length == 0:
        return []
    traces = observation.get("traces", [])
    traced = {t.get("pid") for t in traces}
    if any(c.get("pid") not in traced for c in children):
        # A child without a trace was killed before it could write one (Pool.terminate(), which
        # `with Pool(...)` calls on exit, sends SIGTERM): what it did is unknown, so the lock
        # checks below would be guesses. Judge only what was seen.
        return []
    if any(t.get("role") == "child" and t.get("pid") != main_pid and _locks(t) > 0
           for t in traces):
        return []
    if any(t.get("pid") == main_pid and _locks(t) > 0 for t in traces):
        return [{
            "verdict": "not_parallel",
            "en": "Only the parent process took a lock: the workers did not add any counts to "
                  "the shared Array. The counting has to be done by the workers, and each one "
                  "adds its counts to the Array while holding a lock.",
            "es": "Solo el proceso padre tomó un lock: los trabajadores no sumaron ninguna cuenta "
                  "al Array compartido. El conteo lo tienen que hacer los trabajadores, y cada uno "
                  "suma sus cuentas al Array con un lock tomado.",
        }]
    return [{
        "verdict": "race",
        "en": "No process took any multiprocessing lock: the counts reached the shared Array "
              "without a lock (an Array created with lock=False, or a RawArray, has none). Two "
              "workers doing `counts[v] += 1` at the same time can lose updates; this run "
              "happened not to, but it is a race. Hold a shared lock around every update.",
        "es": "Ningún proceso tomó un lock de multiprocessing: las cuentas llegaron al Array "
              "compartido sin lock (un Array creado con lock=False, o un RawArray, no tiene). "
              "Dos trabajadores haciendo `counts[v] += 1` a la vez pueden perder "
              "actualizaciones; esta vez no pasó, pero es una condición de carrera. Hay que "
              "tomar un lock compartido alrededor de cada actualización.",
    }]
