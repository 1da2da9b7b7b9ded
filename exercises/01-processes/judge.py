"""01-processes judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. The returned PIDs differ on
every run, so the cases are `judge_only` and everything is decided here, from:
- the result (the list of PIDs the function returned);
- the events `task_start`/`task_end` that the harness's `task(i)` recorded in whichever process
  ran it (key: repr(i));
- the processes the function started (`children`) and the calling process (`main_pid`).

Messages never contain PIDs or times: carrera compares the messages of repeated runs to tell a
deterministic mistake (`wrong`) from one that depends on timing (`race`).
"""


def _problem(verdict, en, es):
    return [{"verdict": verdict, "en": en, "es": es}]


def _intervals(traces):
    """{key: [(pid, start, end)]} from the task events of every process."""
    runs = {}
    for t in traces:
        starts, ends = {}, {}
        for ev in t.get("events", []):
            if len(ev) != 3:
                continue
            when, kind, key = ev
            if kind == "task_start":
                starts.setdefault(key, []).append(when)
            elif kind == "task_end":
                ends.setdefault(key, []).append(when)
        for key, ss in starts.items():
            es = ends.get(key, [])
            for k, s in enumerate(ss):
                runs.setdefault(key, []).append((t["pid"], s, es[k] if k < len(es) else None))
    return runs


def check(case, expected, observation):
    n = case["args"][0]
    result = observation.get("value", {}).get("result")
    main_pid = observation.get("main_pid")
    traces = observation.get("traces", [])
    started = {c["pid"] for c in observation.get("children") or []}

    # 1. The shape of the result.
    if not isinstance(result, list):
        return _problem(
            "wrong",
            "run_workers must return a list of PIDs (one int per process); it returned "
            "something else.",
            "run_workers debe devolver una lista de PIDs (un int por proceso); devolvió otra cosa.")
    if len(result) != n:
        return _problem(
            "wrong",
            f"run_workers({n}, task) must return {n} PIDs; it returned a list of {len(result)}.",
            f"run_workers({n}, task) debe devolver {n} PIDs; devolvió una lista de {len(result)}.")
    for i, pid in enumerate(result):
        if not isinstance(pid, int) or isinstance(pid, bool):
            return _problem(
                "wrong",
                f"Element {i} of the list is not a PID (an int). A Process has a PID only "
                f"after start(): read p.pid after starting it.",
                f"El elemento {i} de la lista no es un PID (un int). Un Process tiene PID recién "
                f"después de start(): leer p.pid después de arrancarlo.")

    # 2. Where task(i) ran: in the calling process is not "in n processes".
    runs = _intervals(traces)
    in_main = sorted(k for k, rs in runs.items() for (pid, _, _) in rs if pid == main_pid)
    if in_main:
        return _problem(
            "not_parallel",
            f"task() ran {len(in_main)} time(s) in the calling process itself, not in a child. "
            f"Pass the function and its argument to the child: Process(target=task, args=(i,)); "
            f"Process(target=task(i)) calls task(i) right there, in the parent.",
            f"task() se ejecutó {len(in_main)} vez/veces en el propio proceso que llama, no en un "
            f"hijo. Hay que pasarle al hijo la función y su argumento: "
            f"Process(target=task, args=(i,)); Process(target=task(i)) llama a task(i) ahí mismo, "
            f"en el padre.")

    # 3. Each task(i) exactly once.
    keys = [repr(i) for i in range(n)]
    for i, key in enumerate(keys):
        count = len(runs.get(key, []))
        if count == 0:
            return _problem(
                "wrong",
                f"task({i}) never ran (or its process did not end normally).",
                f"task({i}) no se ejecutó nunca (o su proceso no terminó normalmente).")
        if count > 1:
            return _problem(
                "wrong",
                f"task({i}) ran {count} times; it must run exactly once.",
                f"task({i}) se ejecutó {count} veces; debe ejecutarse exactamente una vez.")
    extra = sorted(set(runs) - set(keys))
    if extra:
        return _problem(
            "wrong",
            f"task() was called with argument(s) {', '.join(extra[:5])}; "
            f"only task(0) ... task({n - 1}) should run.",
            f"task() se llamó con argumento(s) {', '.join(extra[:5])}; "
            f"solo deben ejecutarse task(0) ... task({n - 1}).")

    # 4. The PIDs: the children's, distinct, in the order of i.
    if main_pid is not None and main_pid in result:
        return _problem(
            "wrong",
            "The list holds the PID of the calling process (os.getpid() in the parent), not "
            "the PIDs of the children: in the parent, a child's PID is p.pid.",
            "La lista contiene el PID del proceso que llama (os.getpid() en el padre), no los "
            "PIDs de los hijos: en el padre, el PID de un hijo es p.pid.")
    if len(set(result)) != n:
        return _problem(
            "wrong",
            "The list repeats a PID: each task(i) must run in a process of its own.",
            "La lista repite un PID: cada task(i) debe ejecutarse en un proceso propio.")
    ran_in = {key: runs[key][0][0] for key in keys}
    for i, key in enumerate(keys):
        if result[i] != ran_in[key]:
            where = [j for j, k in enumerate(keys) if ran_in[k] == result[i]]
            if where:
                return _problem(
                    "wrong",
                    f"Element {i} of the list is the PID of the process that ran task({where[0]}), "
                    f"not task({i}): element i must be the PID of the process that ran task(i).",
                    f"El elemento {i} de la lista es el PID del proceso que ejecutó "
                    f"task({where[0]}), no task({i}): el elemento i debe ser el PID del proceso "
                    f"que ejecutó task(i).")
            return _problem(
                "wrong",
                f"Element {i} of the list is not the PID of the process that ran task({i}).",
                f"El elemento {i} de la lista no es el PID del proceso que ejecutó task({i}).")
    if started and not set(result) <= started:
        return _problem(
            "wrong",
            "Some of the processes that ran the tasks were not started by run_workers itself.",
            "Algunos de los procesos que ejecutaron las tareas no los arrancó run_workers misma.")

    # 5. They ran at the same time: every process existed before the first task ended. With
    # start() and join() in the same loop (or in batches) a later process is only created after
    # an earlier task has ended and been joined, so this can never hold. `t_start` is when the
    # process came to life (right after the fork, or when a spawned interpreter began), not when
    # its task began: the start gate and a slow interpreter start-up do not move it.
    if n >= 2:
        born = {t["pid"]: t.get("t_start") for t in traces}
        created = [born.get(runs[key][0][0]) for key in keys]
        ends = [e for key in keys for (_, _, e) in runs[key] if e is not None]
        if None not in created and len(ends) == n and min(ends) < max(created):
            return _problem(
                "not_parallel",
                "The processes did not run at the same time: a task had already ended before "
                "the last process was started. Start every process first, then join them all; "
                "start() and join() in the same loop runs them one after another.",
                "Los procesos no corrieron a la vez: una tarea ya había terminado antes de que "
                "se arrancara el último proceso. Primero arrancar todos los procesos, después "
                "hacer join() de todos; start() y join() en el mismo bucle los ejecuta uno "
                "detrás de otro.")
    return []
