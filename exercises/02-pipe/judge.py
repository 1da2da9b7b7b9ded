"""02-pipe judge: trusted checks over one trial's observations.

Runs in a process of its own; it sees data, never student code. carrera has already compared
the result with the reference's; this checks what only the traces show: that exactly one child
was started and that the child, not the parent, did the squaring. The harness's `Num` records a
`square` event in the process that multiplies it.

Messages contain no PIDs or times: carrera compares the messages of repeated runs to tell a
deterministic mistake from one that depends on timing.
"""

# check() reads counts, not trace events: carrera leaves the events out, and trials go faster.
EVENTS = False


def _problem(verdict, en, es):
    return [{"verdict": verdict, "en": en, "es": es}]


# The harness's rule (harness.py): inputs up to MARK_ALL numbers are all marked; longer ones
# have every MARK_STRIDE-th number marked, starting with the first.
MARK_ALL = 10000
MARK_STRIDE = 100


def _marked(spec):
    """How many of the case's numbers the harness passes as a recording Num."""
    if isinstance(spec, list):
        n = len(spec)
    else:  # "list(range(a, b))"
        a, b = spec[len("list(range("):-2].split(", ")
        n = max(0, int(b) - int(a))
    return n if n <= MARK_ALL else len(range(0, n, MARK_STRIDE))


def check(case, expected, observation):
    n = _marked(case["args"][0])
    main_pid = observation.get("main_pid")
    traces = observation.get("traces", [])
    children = observation.get("children") or []

    if len(children) != 1:
        return _problem(
            "wrong",
            f"squares_via_pipe must start exactly one child process; it started {len(children)}.",
            f"squares_via_pipe debe arrancar exactamente un proceso hijo; arrancó "
            f"{len(children)}.")

    in_main = sum(t.get("counts", {}).get("square", 0) for t in traces if t["pid"] == main_pid)
    in_children = sum(t.get("counts", {}).get("square", 0) for t in traces if t["pid"] != main_pid)
    if in_main:
        return _problem(
            "not_parallel",
            "The parent process squared numbers itself: the child must do the squaring and "
            "send back the results; the parent only sends the numbers and collects the answers.",
            "El proceso padre elevó números al cuadrado él mismo: el hijo debe calcular los "
            "cuadrados y devolverlos; el padre solo envía los números y recoge las respuestas.")
    if in_children < n:
        return _problem(
            "not_parallel",
            "The child did not square the numbers it received: square each received number "
            "in the child with x * x, x ** 2 or pow(x, 2), on the number as it arrived (the "
            "grader's numbers record who multiplies them; int(x) would hide it).",
            "El hijo no elevó al cuadrado los números que recibió: elevar cada número recibido "
            "en el hijo con x * x, x ** 2 o pow(x, 2), sobre el número tal como llegó (los "
            "números del corrector registran quién los multiplica; int(x) lo ocultaría).")
    return []
