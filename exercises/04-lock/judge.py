"""04-lock judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. The result value itself is
compared by carrera against the expected value; this adds what only the trace can show.
"""

# check() reads counts, not trace events: carrera leaves the events out, and trials go faster.
EVENTS = False


def check(case, expected, observation):
    n_procs = case["args"][0]
    main_pid = observation.get("main_pid")
    # Children that took a multiprocessing lock while running: those did increments under a lock
    # (Value's own lock counts too). Pool workers and plain Processes alike.
    workers = {
        t["pid"]
        for t in observation.get("traces", [])
        if t.get("role") == "child" and t["pid"] != main_pid
        and t.get("counts", {}).get("lock_acquire", 0) > 0
    }
    if len(workers) < n_procs:
        return [{
            "verdict": "not_parallel",
            "en": f"{n_procs} child processes should share the increments; "
                  f"{len(workers)} child process(es) touched the shared counter.",
            "es": f"{n_procs} procesos hijos deberían repartirse los incrementos; "
                  f"{len(workers)} proceso(s) hijo(s) usaron el contador compartido.",
        }]
    return []
