"""The trial's main program: `python -c "import carrera_rt.runner as r; r.main()"`.

Reads <dir>/spec.json, imports the submission, optionally calls the function through the harness,
and appends exactly one terminal record to <dir>/result.jsonl. It reports what happened and
never judges it."""
import importlib
import json
import math
import os
import sys

import carrera_rt
from . import config, trace
from .clock import real_perf_counter

_REPR_MAX = 200
_MAX_DEPTH = 64


def _make_encoder(_type=type, _isinstance=isinstance, _repr=repr, _bool=bool, _int=int,
                  _float=float, _str=str, _list=list, _tuple=tuple, _dict=dict,
                  _int_repr=int.__repr__, _float_repr=float.__repr__, _str_str=str.__str__,
                  _isfinite=math.isfinite, _esc=json.encoder.encode_basestring_ascii,
                  _Exception=Exception):
    """JSON text for a record, built from what exists before the submission is imported.
    Unknown objects (and NaN/inf, huge ints, deep nesting, which json would reject or emit as
    invalid JSON) become {"__repr__": repr(o)[:200]}. A submission that patches json, this
    module or the builtins cannot change what it writes (it would have to rewrite this
    closure itself): a submission that patches json, this module or the
    builtins cannot change what it writes (it would have to rewrite this closure itself)."""

    def rep(o):
        try:
            text = _str_str(_repr(o))[:_REPR_MAX]
        except _Exception:
            text = "<unrepresentable>"
        return '{"__repr__":' + _esc(text) + "}"

    def key(k):
        if _isinstance(k, _str):
            return _esc(_str_str(k))
        if k is None or _isinstance(k, (_bool, _int, _float)):
            return _esc(enc(k))
        return _esc(_str_str(_repr(k)))

    def enc(o, depth=0):
        if o is None:
            return "null"
        if _isinstance(o, _bool):
            return "true" if o else "false"
        if _isinstance(o, _int):
            return _int_repr(o) if _int.bit_length(o) <= 4000 else rep(o)
        if _isinstance(o, _float):
            return _float_repr(o) if _isfinite(o) else rep(o)
        if _isinstance(o, _str):
            return _esc(_str_str(o))
        if depth >= _MAX_DEPTH:
            return rep(o)
        if _type(o) in (_list, _tuple):
            return "[" + ",".join([enc(x, depth + 1) for x in o]) + "]"
        if _type(o) is _dict:
            return "{" + ",".join([key(k) + ":" + enc(v, depth + 1)
                                   for k, v in _dict.items(o)]) + "}"
        return rep(o)

    return enc


def _record_writer(path, _encode=None, _open=os.open, _write=os.write, _fsync=os.fsync,
                   _close=os.close, _flags=os.O_WRONLY | os.O_APPEND | os.O_CREAT):
    """The one way a record reaches result.jsonl, made before the submission is imported."""
    encode = _encode or _make_encoder()

    def write(record):
        data = (encode(record) + "\n").encode("ascii")
        fd = _open(path, _flags, 0o600)
        try:
            _write(fd, data)
            _fsync(fd)  # the grader may kill the tree right after; the record must stay
        finally:
            _close(fd)

    return write


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


def _run(spec, harness, _children=_children, _clock=real_perf_counter):
    # Default arguments: bound before the submission is imported, so patching this module's
    # names from the submission changes nothing here. elapsed_s is real time, also under
    # dilation.
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
    t0 = _clock()
    try:
        if harness is not None:
            value = harness(fn, *args, **kwargs)
        else:
            value = {"result": fn(*args, **kwargs)}
    except BaseException as e:
        elapsed = _clock() - t0
        trace.run_ended()
        trace.set_error(e)
        return {"kind": "raised", "error": trace.describe_exc(e), "elapsed_s": elapsed,
                "children": _children(n0)}
    elapsed = _clock() - t0
    trace.run_ended()
    # The value as it is: the record writer makes it JSON-safe (see _make_encoder).
    return {"kind": "returned", "value": value, "elapsed_s": elapsed,
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
    return {"kind": "returned", "value": {"result": result}, "elapsed_s": 0.0}


def main():
    prof = carrera_rt.profile() or config.from_env()
    if prof is None:
        sys.stderr.write("carrera-runtime: CARRERA_PROFILE is not set\n")
        sys.exit(2)
    trace.set_role("main")  # a dump signal from here on writes a partial summary
    with open(os.path.join(prof.dir, "spec.json")) as f:
        spec = json.load(f)
    write_record = _record_writer(os.path.join(prof.dir, "result.jsonl"))
    if spec.get("mode") == "speedup":
        record = _speedup_call(spec, _load_harness_module(spec.get("harness")), prof.dir)
        write_record(record)
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
    write_record(record)
    trace.write_summary("main")
