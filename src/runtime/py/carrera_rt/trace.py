"""Per-process operation counts, a capped event list, and the trace summary file."""
import json
import os
import sys
import threading
import time

from .clock import real_time as _real_time  # events stay in real time under dilation

COUNT_KEYS = ("lock_acquire", "lock_release", "value_get", "value_set", "array_get",
              "array_set", "queue_put", "queue_get", "send", "recv",
              "lock_wait", "lock_timeout", "proc_start", "proc_join",
              "pool_task_start", "pool_task_end")

# Frames from our own package are hidden from EXC: students should see their code, not ours.
_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_MAX_FRAMES = 100
_MAX_MESSAGE = 4000
_MAX_WALK = 50  # frames searched for the student's line
# What a quiet region (a queue's or a Pool's own machinery) keeps out of the events. Processes
# and Pool tasks stay visible; so do a harness's own kinds.
_QUIET_KINDS = frozenset(("lock_wait", "lock_acquire", "lock_release", "lock_timeout",
                          "queue_put", "queue_get", "send", "recv"))


class _State(object):
    def __init__(self, cap):
        self.pid = os.getpid()
        self.ppid = os.getppid()
        self.t_start = _real_time()
        self.t_run_start = None
        self.t_run_end = None
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.events = []
        self.cap = cap
        self.dropped = 0
        self.internal = 0  # counted operations kept out of the events (a queue's own traffic)
        self.error = None
        self.requests = []
        # RLock, not Lock: a Python signal handler may hit a hook while the main thread is
        # inside record().
        self.lock = threading.RLock()


_dir = None
_state = None
_student = None  # co_filename of the student's module: events say which of its lines ran them
_role = None     # "main" / "child" once this process is one that writes a summary
_written = False  # the complete summary is written (or being written): no partial after it
_in_partial = False
class _Local(threading.local):
    # Per thread: > 0 while inside a queue's or a Pool's own operation, whose pipe and lock
    # traffic is counted but kept out of the events. A class default, not getattr(..., 0):
    # a missing attribute costs an exception on every event.
    quiet = 0


_tls = _Local()


def init(profile):
    global _dir, _state, _student
    _dir = profile.dir
    _student = getattr(profile, "student", None)
    _state = _State(profile.events_cap)


def after_fork():
    """A forked child is a new process: new pid, empty counts (the parent's stay the parent's)."""
    global _state, _role, _written
    if _state is not None:
        _state = _State(_state.cap)
    _role, _written = None, False
    _tls.quiet = 0  # fork may have happened inside a queue operation of this thread


def set_role(role):
    """This process writes a summary as `role`; a dump signal then writes a partial one."""
    global _role
    _role = role


def quiet_enter():
    _tls.quiet += 1


def quiet_leave():
    _tls.quiet -= 1


def note_semaphore(name):
    """Append a named semaphore to dir/semaphores.txt (one short O_APPEND write)."""
    if not name or _dir is None:
        return
    try:
        fd = os.open(os.path.join(_dir, "semaphores.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (name + "\n").encode())
        finally:
            os.close(fd)
    except OSError:
        pass


def record(kind, key, extra=None):
    """Count an operation and keep its event [t, kind, key] or [t, kind, key, extra].
    Harnesses call this too, with kinds of their own (`task`, `square`...): their events stay
    [t, kind, key] (a judge may expect exactly that)."""
    _add(kind, key, extra, False)


def op(kind, key, extra=None, t=None):
    """Like record, for the runtime's hooks: also the student's line that made the call.
    `t` (from `clock.real_time()`): when the operation really happened, if that was before
    this call."""
    _add(kind, key, extra, True, t)


def _add(kind, key, extra, where, t=None, _now=_real_time, _frame=sys._getframe):
    # Runs for every lock, value and queue operation of the student's code: kept lean.
    st = _state
    if st is None:
        return
    try:
        if t is None:
            t = _now()
        with st.lock:
            counts = st.counts
            counts[kind] = counts.get(kind, 0) + 1
            if _tls.quiet and kind in _QUIET_KINDS:
                st.internal += 1
                return
            events = st.events
            if len(events) >= st.cap:
                st.dropped += 1
                return
            if where and _student is not None:
                line = _student_line(_frame(2))
                if line is not None:
                    extra = dict(extra) if extra else {}
                    extra["line"] = line
            events.append([t, kind, key, extra] if extra else [t, kind, key])
    except Exception:
        pass


def _student_line(f):
    """Line of the innermost frame in the student's file, or None."""
    path, n = _student, _MAX_WALK
    folder = path.endswith(os.sep)  # program mode: any file of the submission
    while f is not None and n > 0:
        name = f.f_code.co_filename
        if name == path or (folder and name.startswith(path)):
            return f.f_lineno
        f, n = f.f_back, n - 1
    return None


def run_started():
    if _state is not None:
        _state.t_run_start = _real_time()


def run_ended():
    if _state is not None:
        _state.t_run_end = _real_time()


def set_error(exc):
    if _state is not None:
        _state.error = describe_exc(exc)


def add_start_method_request(method):
    if _state is not None:
        _state.requests.append(method if isinstance(method, str) else repr(method))


def describe_exc(exc):
    """EXC of the protocol: type, message, frames (innermost last, our own frames removed)."""
    import traceback  # only needed on errors; keeps every interpreter's start-up lighter
    frames = []
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename.startswith(_PKG_DIR) or fs.filename.startswith("<frozen importlib"):
            continue
        frames.append({"file": fs.filename, "line": fs.lineno, "function": fs.name,
                       "text": fs.line or ""})
    if isinstance(exc, SyntaxError) and exc.filename:
        # The offending line of a SyntaxError is not on the traceback.
        frames.append({"file": exc.filename, "line": exc.lineno, "function": "<module>",
                       "text": (exc.text or "").strip()})
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable %s>" % type(exc).__name__
    return {"type": type(exc).__name__, "message": message[:_MAX_MESSAGE],
            "frames": frames[-_MAX_FRAMES:]}


def _process_name():
    proc = sys.modules.get("multiprocessing.process")
    try:
        return proc.current_process().name
    except Exception:
        return None


def _start_method():
    """The method really in use, without setting the default as get_start_method() would."""
    ctx = sys.modules.get("multiprocessing.context")
    try:
        dc = ctx._default_context
        return (dc._actual_context or dc._default_context)._name
    except Exception:
        return None


def summary(role, partial=False):
    st = _state
    # "partial" first: the parent tells a partial summary from its first bytes (PARTIAL_HEAD).
    out = {"partial": True} if partial else {}
    with st.lock:
        out.update({
            "pid": st.pid, "ppid": st.ppid, "name": _process_name(), "role": role,
            "method": _start_method(), "t_start": st.t_start,
            "t_run_start": st.t_run_start, "t_run_end": st.t_run_end,
            "counts": dict(st.counts), "events": list(st.events),
            "events_dropped": st.dropped, "events_internal": st.internal,
            "error": st.error,
            "start_method_requests": list(st.requests),
            # CPU seconds of this process alone (a forked child starts from zero): shows who
            # did the work. Never dilated.
            "cpu_s": time.process_time(),
        })
    return out


def write_summary(role):
    """Write <dir>/trace/<pid>.json atomically: the grader may read it while we exit."""
    global _written
    if _state is None or _dir is None:
        return
    # Set first: a dump signal handled in the middle of this write must not write over it.
    _written = True
    try:
        _write(summary(role), ".tmp")
    except Exception as e:  # a missing trace is an observation too; never fail the process
        try:
            sys.stderr.write("carrera-runtime: cannot write trace: %r\n" % (e,))
        except Exception:
            pass


def write_partial():
    """On the dump signal (main thread, between two bytecodes of whatever it was running):
    the summary so far, marked partial, unless the complete one exists or is being written.
    Only processes that would write a summary do (not the forkserver or resource tracker)."""
    global _in_partial
    if _role is None or _written or _in_partial or _state is None or _dir is None:
        return
    _in_partial = True  # a second signal may run the handler again inside this one
    try:
        _write(summary(_role, partial=True), ".ptmp")  # its own temporary file
    except Exception:
        pass  # silent: stderr may be a full pipe of a hung tree
    finally:
        _in_partial = False


PARTIAL_HEAD = b'{"partial": true'


def is_partial(path):
    """Whether the summary file at path is a partial one (False when it is absent)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(PARTIAL_HEAD)) == PARTIAL_HEAD
    except OSError:
        return False


def trace_path(pid):
    return os.path.join(_dir, "trace", "%d.json" % pid) if _dir is not None else None


def _write(data, suffix):
    text = json.dumps(data)
    tdir = os.path.join(_dir, "trace")
    os.makedirs(tdir, exist_ok=True)
    final = os.path.join(tdir, "%d.json" % _state.pid)
    tmp = final + suffix
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, final)
