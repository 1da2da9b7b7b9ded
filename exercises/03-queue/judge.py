"""03-queue judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. carrera has already compared
`result` (which items the returned list holds, sorted) with the expected value; this adds the
order of the list and what only the trace can show: which processes called fn.
"""

# A worker that only started running this long before the last item was taken may
# legitimately have found the task queue already empty.
LATE_MARGIN_S = 0.1


def check(case, expected, observation):
    _, items, n_workers = case["args"]
    n_items = len(items)
    value = observation.get("value") or {}
    order = value.get("order")
    if order is not None and order != list(range(n_items)):
        return [{
            "verdict": "wrong",
            "en": "The list holds the right results but not in input order: element i must be "
                  "fn(items[i]). Results arrive in the order the workers finish them; put each "
                  "one back at its index.",
            "es": "La lista tiene los resultados correctos pero no en el orden de entrada: el "
                  "elemento i tiene que ser fn(items[i]). Los resultados llegan en el orden en "
                  "que los terminan los trabajadores; hay que ubicar cada uno en su índice.",
        }]

    main_pid = observation.get("main_pid")
    traces = observation.get("traces", [])
    in_main = sum(t.get("counts", {}).get("task", 0) for t in traces if t["pid"] == main_pid)
    if in_main:
        return [{
            "verdict": "not_parallel",
            "en": f"The parent process computed {in_main} of the {n_items} items itself; every "
                  f"call to fn must happen in the worker processes.",
            "es": f"El proceso padre calculó él mismo {in_main} de los {n_items} elementos; "
                  f"todas las llamadas a fn tienen que ocurrir en los procesos trabajadores.",
        }]

    children = [t for t in traces if t.get("role") == "child" and t["pid"] != main_pid]
    busy = [t for t in children if t.get("counts", {}).get("task", 0) > 0]
    task_times = [e[0] for t in traces for e in t.get("events", []) if e[1] == "task"]
    last = max(task_times) if task_times else None

    def late(t):
        start = t.get("t_run_start")
        return start is None or last is None or start > last - LATE_MARGIN_S

    # A worker that started after the queue was drained is no evidence of a missing worker.
    excused = [t for t in children if t.get("counts", {}).get("task", 0) == 0 and late(t)]
    needed = min(n_workers, n_items)
    if len(busy) + len(excused) < needed:
        started = len(observation.get("children", []))
        if started < needed:
            return [{
                "verdict": "not_parallel",
                "en": f"With n_workers={n_workers} and {n_items} items, {needed} worker processes "
                      f"should have called fn; the function started {started} process(es).",
                "es": f"Con n_workers={n_workers} y {n_items} elementos, {needed} procesos "
                      f"trabajadores deberían haber llamado a fn; la función inició {started} "
                      f"proceso(s).",
            }]
        return [{
            "verdict": "not_parallel",
            "en": f"With n_workers={n_workers} and {n_items} items, {needed} worker processes "
                  f"should have called fn; {len(busy)} did. The others took no task, although "
                  f"tasks were still waiting when they started: a worker should stop only when "
                  f"it takes its sentinel.",
            "es": f"Con n_workers={n_workers} y {n_items} elementos, {needed} procesos "
                  f"trabajadores deberían haber llamado a fn; lo hicieron {len(busy)}. Los demás no "
                  f"tomaron ninguna tarea, aunque todavía quedaban cuando arrancaron: un "
                  f"trabajador tiene que parar solo cuando saca su centinela.",
        }]
    return []
