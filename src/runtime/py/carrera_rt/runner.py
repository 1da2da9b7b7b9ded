"""The trial's main program: `python -c "import carrera_rt.runner as r; r.main()"`.

Reads <dir>/spec.json, imports the submission, optionally calls the function through the harness,
and appends exactly one terminal record to <dir>/result.jsonl. It reports what happened and
never judges it."""
import importlib
import json
import math
import os
import sys
import time

import carrera_rt
from . import config, trace

_REPR_MAX = 200
_MAX_DEPTH = 64


def _repr(o):
    try:
        return {"__repr__": repr(o)[:_REPR_MAX]}
    except Exception:
        return {"__repr__": "<unrepresentable %s>" % type(o).__name__}


def _jsonable(o, depth=0):
    """A JSON-safe copy of o: unknown objects (and NaN/inf, huge ints, cycles, deep nesting,
    which json would reject or emit as invalid JSON) become {"__repr__": repr(o)[:200]}."""
    if o is None or isinstance(o, (bool, str)):
        return o
    if isinstance(o, int):  # huge ints exceed Python's int-to-str limit (and any JSON reader)
        return o if o.bit_length() <= 4000 else _repr(o)
    if isinstance(o, float):
        return o if math.isfinite(o) else _repr(o)
    if depth >= _MAX_DEPTH:
        return _repr(o)
    if isinstance(o, (list, tuple)):
        return [_jsonable(x, depth + 1) for x in o]
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if not isinstance(k, str):
                k = json.dumps(k) if k is None or isinstance(k, (bool, int, float)) else repr(k)
            out[k] = _jsonable(v, depth + 1)
        return out
    return _repr(o)


def _load_harness_module(path):
    """The grader's harness, importable by name so spawn children can unpickle what it defines.
    A broken harness is the grader's fault: let it raise, without a record."""
    if not path:
        return None
    hdir, fname = os.path.split(os.path.abspath(path))
    if hdir not in sys.path:
        sys.path.insert(1, hdir)
    return importlib.import_module(os.path.splitext(fname)[0])


def _children(n0):
    if carrera_rt.profile() is None:
        return []
    from . import hooks
    return hooks.children_since(n0)


def _import_function(spec):
    """(the student's function, None), or (None, the terminal record saying why not)."""
    module_dir = spec["module_dir"]
    if module_dir not in sys.path:
        sys.path.insert(0, module_dir)
    try:
        module = importlib.import_module(spec["module"])
    except BaseException as e:  # SystemExit at import time is a failed import too
        return None, {"kind": "import_error", "error": trace.describe_exc(e)}
    fn = getattr(module, spec["function"], None)
    if not callable(fn):
        return None, {"kind": "missing_function", "function": spec["function"]}
    return fn, None


def _run(spec, harness):
    fn, failed = _import_function(spec)
    if failed is not None:
        return failed
    if spec.get("mode") == "import":
        return {"kind": "imported"}

    case = spec.get("case") or {}
    args, kwargs = case.get("args") or [], case.get("kwargs") or {}
    from . import hooks
    n0 = hooks.started_count()
    trace.run_started()
    t0 = time.perf_counter()
    try:
        if harness is not None:
            value = harness(fn, *args, **kwargs)
        else:
            value = {"result": fn(*args, **kwargs)}
    except BaseException as e:
        elapsed = time.perf_counter() - t0
        trace.run_ended()
        trace.set_error(e)
        return {"kind": "raised", "error": trace.describe_exc(e), "elapsed_s": elapsed,
                "children": _children(n0)}
    elapsed = time.perf_counter() - t0
    trace.run_ended()
    return {"kind": "returned", "value": _jsonable(value), "elapsed_s": elapsed,
            "children": _children(n0)}


def _speedup_call(spec, harness_module, prof_dir):
    """A timed call for speedup: everything but the call happens before the grader's go.

    The grader starts its clock when it sends the go byte on stdin and stops it when the main
    process exits, so nothing said here is trusted for timing."""
    fn, failed = _import_function(spec)
    if failed is not None:
        return failed
    case = spec.get("case") or {}
    args, kwargs = case.get("args") or [], case.get("kwargs") or {}
    # The harness may build big inputs (e.g. the data list) before the clock starts.
    prepare = getattr(harness_module, "speedup_args", None)
    if prepare is not None:
        args, kwargs = prepare(*args, **kwargs)
    with open(os.path.join(prof_dir, "ready"), "w"):
        pass
    os.read(0, 1)
    try:
        result = fn(*args, **kwargs)
    except BaseException as e:
        trace.set_error(e)
        return {"kind": "raised", "error": trace.describe_exc(e), "elapsed_s": 0.0}
    return {"kind": "returned", "value": {"result": _jsonable(result)}, "elapsed_s": 0.0}


def _append_record(path, record):
    line = json.dumps(record, allow_nan=False) + "\n"
    with open(path, "a") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())  # the grader may kill the tree right after; the record must stay


def main():
    prof = carrera_rt.profile() or config.from_env()
    if prof is None:
        sys.stderr.write("carrera-runtime: CARRERA_PROFILE is not set\n")
        sys.exit(2)
    with open(os.path.join(prof.dir, "spec.json")) as f:
        spec = json.load(f)
    if spec.get("mode") == "speedup":
        record = _speedup_call(spec, _load_harness_module(spec.get("harness")), prof.dir)
        _append_record(os.path.join(prof.dir, "result.jsonl"), record)
        # The clock stops when this process exits: leave now, without freeing the big inputs
        # or running exit handlers (the stress phase already checked that children are joined).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    else:
        harness = None
        if spec.get("mode") == "call" and spec.get("harness"):
            harness = _load_harness_module(spec["harness"]).run
        record = _run(spec, harness)
    _append_record(os.path.join(prof.dir, "result.jsonl"), record)
    trace.write_summary("main")
