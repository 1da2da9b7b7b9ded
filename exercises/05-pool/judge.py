"""05-pool judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. carrera has already compared the
count with the expected value; this checks that a pool of n_workers processes did the counting.
"""

# check() reads counts, not trace events: carrera leaves the events out, and trials go faster.
EVENTS = False

# Below this limit the work is too small to say who did it (and skipping the pool is allowed).
MIN_LIMIT = 1000
# Parent CPU seconds during the call below which the parent cannot have done the counting.
PARENT_CPU_FLOOR_S = 0.15


def _es(seconds):
    """0.46 -> "0,46": the Spanish decimal comma."""
    return f"{seconds:.2f}".replace(".", ",")


def _children_cpu(observation, value):
    """CPU seconds of the pool's processes, or None when it cannot be known for sure."""
    if observation.get("method") in ("fork", "spawn"):
        # The workers are children of the main process, reaped when the pool is joined or
        # terminated: the kernel's figure for reaped children covers them all.
        return value.get("reaped_children_cpu_s")
    # forkserver: the workers are the fork server's children. Only their own trace summaries
    # tell, and a worker killed before writing one leaves none: then we cannot know.
    traced = {t["pid"]: t.get("cpu_s", 0.0) for t in observation.get("traces", [])
              if t.get("role") == "child"}
    pids = [c["pid"] for c in observation.get("children", [])]
    if not pids or any(p not in traced for p in pids):
        return None
    return sum(traced[p] for p in pids)


def check(case, expected, observation):
    limit, n_workers = case["args"]
    if limit < MIN_LIMIT:
        return []
    children = observation.get("children", [])
    if not children:
        return [{
            "verdict": "not_parallel",
            "en": "The function started no process: the counting ran in the main process "
                  "(threads, such as a ThreadPool, share one process and, for Python code, one "
                  f"CPU at a time). Use multiprocessing.Pool({n_workers}).",
            "es": "La función no inició ningún proceso: el conteo corrió en el proceso principal "
                  "(los hilos, como los de un ThreadPool, comparten un proceso y, para código "
                  f"Python, una CPU a la vez). Hay que usar multiprocessing.Pool({n_workers}).",
        }]
    if len(children) != n_workers:
        return [{
            "verdict": "not_parallel",
            "en": f"With n_workers={n_workers} the function should start exactly {n_workers} "
                  f"processes (one Pool of n_workers processes); it started {len(children)}.",
            "es": f"Con n_workers={n_workers} la función debería iniciar exactamente "
                  f"{n_workers} procesos (un Pool de n_workers procesos); inició "
                  f"{len(children)}.",
        }]
    value = observation.get("value") or {}
    parent = value.get("parent_cpu_s")
    workers = _children_cpu(observation, value)
    if isinstance(parent, (int, float)) and isinstance(workers, (int, float)) \
            and parent >= PARENT_CPU_FLOOR_S and parent > workers:
        return [{
            "verdict": "not_parallel",
            "en": f"The parent process used {parent:.2f} s of CPU during the call and the pool's "
                  f"{n_workers} processes {workers:.2f} s in all: the counting happened in the "
                  f"parent. The pool's workers must test the numbers.",
            "es": f"El proceso padre usó {_es(parent)} s de CPU durante la llamada y los "
                  f"{n_workers} procesos del pool {_es(workers)} s en total: el conteo ocurrió en "
                  f"el padre. Los que prueban los números tienen que ser los trabajadores del "
                  f"pool.",
        }]
    return []
