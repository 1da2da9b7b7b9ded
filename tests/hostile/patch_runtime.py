# expect: wrong
"""Patches carrera's own runtime so that a wrong answer would be recorded as the right one.

The runtime (the `carrera_rt` package, imported into every interpreter of a trial) runs the
submission in `carrera_rt.runner` and writes one terminal record to the trial's result file.
At import, this module rewrites every `returned` record's `value.result` to the right answer,
n_procs * n_increments (read from the trial's own spec.json), by patching every name the
record could pass through afterwards: the runtime's record functions (`_append_record`,
`_jsonable`, `_record_writer`, whichever exist), `json.dumps` and `json.JSONEncoder.encode`.
Everything else is genuine: real processes, a real Lock, so the trace looks like a correct
solution's.

The function itself is wrong: every worker does one increment less than asked, so it
returns n_procs * (n_increments - 1), on every call.

Fair verdict: `wrong`. The result channel cannot be fully secured inside the student's
interpreter (shared/notes/sandboxing.md, section 8), but these cheap patches must not work:
the runtime binds what writes the record before it imports the submission. No sandbox tier
changes this; it is a runtime matter, so there is no minimal exception.
"""
import json
import multiprocessing as mp
import os


def _right(record):
    profile = json.loads(os.environ.get("CARRERA_PROFILE") or "{}")
    try:
        with open(os.path.join(profile.get("dir", ""), "spec.json")) as f:
            args = (json.load(f).get("case") or {}).get("args") or []
    except OSError:
        return record
    if isinstance(record, dict) and record.get("kind") == "returned" and len(args) >= 2:
        return dict(record, value={"result": args[0] * args[1]})
    return record


def _install():
    try:
        import carrera_rt.runner as runner
    except ImportError:
        return
    if getattr(runner, "_hostile_patched", False):
        return
    for name in ("_append_record", "_jsonable", "_record_writer"):
        original = getattr(runner, name, None)
        if original is None:
            continue
        if name == "_record_writer":
            def patched(path, *a, _o=original, **k):
                write = _o(path, *a, **k)
                return lambda record: write(_right(record))
        else:
            def patched(first, *a, _o=original, **k):
                return _o(_right(first), *a, **k)
        setattr(runner, name, patched)
    dumps = json.dumps
    json.dumps = lambda o, *a, **k: dumps(_right(o), *a, **k)
    encode = json.JSONEncoder.encode
    json.JSONEncoder.encode = lambda self, o: encode(self, _right(o))
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
