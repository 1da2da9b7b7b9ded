# expect: wrong
"""Patches carrera's own runtime so that a wrong answer is recorded as the right one.

The runtime (the `carrera_rt` package, imported into every interpreter of a trial by
sitecustomize) runs the submission in `carrera_rt.runner`: `_run` calls the harness, and
`main` writes the one terminal record through the module-level function `_append_record`,
looked up by name at call time. At import, this module replaces
`carrera_rt.runner._append_record` with a wrapper that rewrites a `returned` record's
`value.result` to the right answer, n_procs * n_increments, read from the trial's own
spec.json (its `case.args`). Everything else is genuine: real processes, a real Lock, so the
trace looks like a correct solution's.

The function itself is wrong: every worker does one increment less than asked, so it
returns n_procs * (n_increments - 1), on every call.

Fair verdict: `wrong`. The result channel cannot be fully secured inside the student's
interpreter (shared/notes/sandboxing.md, section 8), but this attack is the cheap one: a
runtime that binds what it needs before importing the submission (or hands the value to the
grader by a path the submission cannot rebind) records the real value. No sandbox tier
changes this; it is a runtime matter, so there is no minimal exception.
"""
import json
import multiprocessing as mp
import os


def _install():
    try:
        import carrera_rt.runner as runner
    except ImportError:
        return
    if getattr(runner, "_hostile_patched", False):
        return
    original = runner._append_record
    profile = json.loads(os.environ.get("CARRERA_PROFILE") or "{}")
    spec_path = os.path.join(profile.get("dir", ""), "spec.json")

    def _append_record(path, record):
        try:
            with open(spec_path) as f:
                args = (json.load(f).get("case") or {}).get("args") or []
            if record.get("kind") == "returned" and len(args) >= 2:
                record = dict(record, value={"result": args[0] * args[1]})
        except Exception:
            pass
        return original(path, record)

    runner._append_record = _append_record
    runner._hostile_patched = True


_install()


def _worker(counter, lock, n_increments):
    for _ in range(n_increments - 1):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [mp.Process(target=_worker, args=(counter, lock, n_increments)) for _ in range(n_procs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
