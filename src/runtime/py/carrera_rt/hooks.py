"""The multiprocessing patches. Every wrapper calls the original with the same arguments and returns
its result; noise and tracing happen around the call, so only timing changes.

Wrappers bind what they need (noise, record, originals) as closure variables instead of reading
module globals, so they keep working during interpreter shutdown when globals may be cleared."""
import itertools
import os
import sys

from . import noise, trace
from .clock import real_monotonic, real_sleep, real_time

_MISSING = object()
_patches = []   # (owner, attribute, previous value or _MISSING), for rollback
_forced = None  # start method pinned by the profile, or None
# Processes this process started:
# [process, pid, name, joined, exitcode-at-join/close, is a Pool worker].
_started = []
_gate_target = None  # start-gate instant shared by the children started close together
_pipe_ids = itertools.count()  # n of the "pipe:<pid>:<n>" channels made here
_pool_patched = False  # multiprocessing.pool is patched once something imported it


def _patch(owner, name, new):
    _patches.append((owner, name, owner.__dict__.get(name, _MISSING)))
    setattr(owner, name, new)


def _patch_item(table, key, new):
    _patches.append((table, key, table.get(key, _MISSING), True))
    table[key] = new


def uninstall():
    """Undo every patch, newest first (used when install fails half-way)."""
    global _pool_patched
    while _patches:
        entry = _patches.pop()
        owner, name, old = entry[:3]
        if len(entry) > 3:  # a dict entry
            if old is _MISSING:
                owner.pop(name, None)
            else:
                owner[name] = old
        elif old is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, old)
    _pool_patched = False


def after_fork():
    # The parent's children, gate and pipe numbers are not the forked child's.
    global _gate_target, _pipe_ids
    del _started[:]
    _gate_target = None
    _pipe_ids = itertools.count()


def install(profile):
    global _forced
    import multiprocessing
    import multiprocessing.connection
    import multiprocessing.context
    import multiprocessing.process
    import multiprocessing.queues
    import multiprocessing.reduction
    import multiprocessing.sharedctypes
    import multiprocessing.synchronize

    dc = multiprocessing.context._default_context
    previous = dc._actual_context
    try:
        if profile.method is not None:
            multiprocessing.set_start_method(profile.method, force=True)
            _forced = profile.method
        _patch_start_method(multiprocessing)
        _patch_semlock(multiprocessing.synchronize.SemLock)
        _patch_shared(multiprocessing.sharedctypes)
        _patch_queues(multiprocessing.queues)
        _patch_connection(multiprocessing.connection._ConnectionBase)
        _patch_pipe(multiprocessing.connection, multiprocessing.reduction)
        _patch_process(multiprocessing.process.BaseProcess, profile.gate_ms,
                       profile.dump_signal)
        # multiprocessing.pool costs ~20 ms to import: patched when something imported it
        # (checked again at each Process.start(), which a Pool's __init__ calls first).
        _maybe_patch_pool()
        if profile.program:
            _patch_fifo()
    except BaseException:
        uninstall()
        dc._actual_context, _forced = previous, None
        raise


def _patch_fifo():
    """A whole program may talk through named pipes (os.mkfifo) instead of Pipe(): each one
    made is an event, so the grader sees the channel without reading the source."""
    import os
    orig = getattr(os, "mkfifo", None)
    if orig is None:
        return

    def mkfifo(path, *args, **kwargs):
        result = orig(path, *args, **kwargs)
        trace.op("fifo", "fifo:%s" % (os.fspath(path),))
        return result

    mkfifo.__name__ = orig.__name__
    _patch(os, "mkfifo", mkfifo)


def install_plain(profile):
    """For timed calls: pin the start method and nothing else, so the program runs at full
    speed (no wrapped locks, queues or connections)."""
    global _forced
    import multiprocessing
    if profile.method is not None:
        multiprocessing.set_start_method(profile.method, force=True)
        _forced = profile.method
    _patch_start_method(multiprocessing)


# -- start method -------------------------------------------------------------------------------

def _start_method_request(method, call):
    """Called from the two set_start_method wrappers; sys._getframe(2) is their caller."""
    caller = sys._getframe(2).f_globals.get("__name__") or ""
    if caller == "multiprocessing" or caller.startswith("multiprocessing."):
        # multiprocessing itself (spawn.prepare in a child) re-applies the parent's method.
        return call()
    trace.add_start_method_request(method)
    if _forced is None:
        return call()  # nothing pinned: the student's choice is the method under test
    return None


def _patch_start_method(mp):
    cls = mp.context.DefaultContext
    orig_method = cls.set_start_method
    orig_module = mp.set_start_method  # a bound method of the default context

    def set_start_method(self, method, force=False):
        return _start_method_request(method, lambda: orig_method(self, method, force))

    def module_set_start_method(method, force=False):
        return _start_method_request(method, lambda: orig_module(method, force))

    module_set_start_method.__name__ = "set_start_method"
    _patch(cls, "set_start_method", set_start_method)
    _patch(mp, "set_start_method", module_set_start_method)


# -- locks --------------------------------------------------------------------------------------

def _lock_key(semlock):
    # A named semaphore has the same name in every process; otherwise the handle (an address)
    # is at least the same in forked children.
    name = getattr(semlock, "name", None)
    return name if name else hex(semlock.handle)


def _blocking(args, kwargs):
    """Whether SemLock.acquire(block=True, timeout=None) was asked to block (an int flag)."""
    b = args[0] if args else kwargs.get("block", True)
    return b is True or (type(b) is int and b != 0)


def _patch_semlock(cls):
    orig_make = cls._make_methods
    maybe_noise, record, blocking = noise.maybe_noise, trace.op, _blocking

    def _make_methods(self):
        orig_make(self)
        raw_acquire, raw_release = self.acquire, self.release
        key = _lock_key(self._semlock)
        # Named semaphores outlive a killed tree in /dev/shm; the grader unlinks what is listed.
        trace.note_semaphore(getattr(self._semlock, "name", None))

        def acquire(*args, **kwargs):
            maybe_noise()
            waits = blocking(args, kwargs)
            # A blocking acquire first tries without blocking: one that succeeds at once
            # waited for nothing, and a wait event for it would add a third to the events of
            # every lock-heavy trial. The blocking call follows only when the lock is taken.
            ok = raw_acquire(False) if waits else raw_acquire(*args, **kwargs)
            if waits and not ok:
                # Before the call: a wait that never ends is what a deadlock leaves behind.
                record("lock_wait", key)
                ok = raw_acquire(*args, **kwargs)
                if not ok:
                    record("lock_timeout", key)  # ends the wait of a timed acquire
            if ok:
                record("lock_acquire", key)
            maybe_noise()
            return ok

        def release(*args, **kwargs):
            maybe_noise()
            result = raw_release(*args, **kwargs)
            record("lock_release", key)
            # Also after: widens the gap between leaving a critical section and what follows
            # it, where code that writes after unlocking loses updates.
            maybe_noise()
            return result

        self.acquire = acquire
        self.release = release

    # The original __enter__/__exit__ call the C semlock directly and would skip the hooks.
    def __enter__(self):
        return self.acquire()

    def __exit__(self, *args):
        return self.release()

    _patch(cls, "_make_methods", _make_methods)
    _patch(cls, "__enter__", __enter__)
    _patch(cls, "__exit__", __exit__)


# -- Value / Array ------------------------------------------------------------------------------

def _shared_key(obj):
    try:
        import ctypes
        return hex(ctypes.addressof(obj._obj))  # the shared memory, same in forked children
    except Exception:
        return hex(id(obj))


_EXACT = 2 ** 53  # beyond it a JSON reader's doubles lose integers


def _value(extra, v):
    """extra with "v": v when JSON carries v exactly (bool, small int, finite float)."""
    t = type(v)
    if t is bool or (t is int and -_EXACT < v < _EXACT) or (t is float and v - v == 0.0):
        extra["v"] = v
    return extra


def _item(arr, i, v):
    extra = {}
    if type(i) is int:
        if i < 0:
            try:
                i += len(arr._obj)  # the element really used, as the grader compares indices
            except Exception:
                pass
        extra["i"] = i
        _value(extra, v)
    return extra


def _patch_shared(sc):
    maybe_noise, record, value, item, now = noise.maybe_noise, trace.op, _value, _item, real_time
    prop = sc.Synchronized.value
    # The wrapper's own lock, taken inside each read and write, is how Value works, not a lock
    # of the program: counted, not evented (like a queue's internals).
    fget, fset = _quiet(prop.fget), _quiet(prop.fset)

    # Stamped at the read or write itself, not after the bookkeeping: a process preempted
    # between its read and the event would seem to have read after another's write, and the
    # lost update would go unseen.
    def get_value(self):
        t = now()
        v = fget(self)
        record("value_get", _shared_key(self), value({}, v), t)
        maybe_noise()  # after the read: widens the read-modify-write window of `v.value += 1`
        return v

    def set_value(self, v):
        maybe_noise()  # before the write
        fset(self, v)
        t = now()
        record("value_set", _shared_key(self), value({}, v), t)

    orig_get = _quiet(sc.SynchronizedArray.__getitem__)
    orig_set = _quiet(sc.SynchronizedArray.__setitem__)

    def __getitem__(self, i):
        t = now()
        v = orig_get(self, i)
        record("array_get", _shared_key(self), item(self, i, v), t)
        maybe_noise()
        return v

    def __setitem__(self, i, v):
        maybe_noise()
        orig_set(self, i, v)
        t = now()
        record("array_set", _shared_key(self), item(self, i, v), t)

    _patch(sc.Synchronized, "value", property(get_value, set_value, prop.fdel, prop.__doc__))
    _patch(sc.SynchronizedArray, "__getitem__", __getitem__)
    _patch(sc.SynchronizedArray, "__setitem__", __setitem__)


# -- Queue / Connection -------------------------------------------------------------------------

def _named(wrapper, orig):
    wrapper.__name__ = getattr(orig, "__name__", wrapper.__name__)
    wrapper.__doc__ = getattr(orig, "__doc__", None)
    return wrapper


def _queue_key(q):
    # The key of the queue's read lock: the same object in every process under every start
    # method (a named semaphore, or a handle inherited by fork), unlike id(q).
    try:
        return _lock_key(q._rlock._semlock)
    except Exception:
        return hex(id(q))


def _queue_op(orig, kind):
    """Noise before, the event after. Inside, the queue's own locks and pipe are counted as
    before but kept out of the events (quiet): they are how the queue works, not the program.
    A Pool's own queues (marked _carrera_internal) are quiet altogether."""
    maybe_noise, record, key = noise.maybe_noise, trace.op, _queue_key
    enter, leave = trace.quiet_enter, trace.quiet_leave

    def wrapper(self, *args, **kwargs):
        maybe_noise()
        internal = getattr(self, "_carrera_internal", False)
        enter()
        try:
            result = orig(self, *args, **kwargs)
            if internal:
                record(kind, key(self))  # counted, as before
        finally:
            leave()
        if not internal:
            record(kind, key(self))
        return result

    return _named(wrapper, orig)


def _quiet(orig):
    """orig with the events of what it does inside kept out (counts unchanged)."""
    enter, leave = trace.quiet_enter, trace.quiet_leave

    def wrapper(*args, **kwargs):
        enter()
        try:
            return orig(*args, **kwargs)
        finally:
            leave()

    return _named(wrapper, orig)


def _patch_queues(q):
    # JoinableQueue.put and SimpleQueue do not go through Queue.put/get, so wrap them too.
    for cls in (q.Queue, q.JoinableQueue, q.SimpleQueue):
        for name, kind in (("put", "queue_put"), ("get", "queue_get")):
            if name in cls.__dict__:
                _patch(cls, name, _queue_op(cls.__dict__[name], kind))
    for name in ("task_done", "join"):
        if name in q.JoinableQueue.__dict__:
            _patch(q.JoinableQueue, name, _quiet(q.JoinableQueue.__dict__[name]))
    # The feeder thread writes what put() buffered: quiet for its whole life.
    feed = q.Queue.__dict__["_feed"]
    _patch(q.Queue, "_feed", staticmethod(_quiet(feed.__func__)))


def _conn_op(orig, kind):
    maybe_noise, record = noise.maybe_noise, trace.op

    def wrapper(self, *args, **kwargs):
        maybe_noise()
        result = orig(self, *args, **kwargs)
        ch = getattr(self, "_carrera_ch", None)
        if ch is None:
            record(kind, hex(id(self)))
        else:
            record(kind, ch[0], {"end": ch[1]})
        return result

    return _named(wrapper, orig)


def _patch_connection(cls):
    for name, kind in (("send", "send"), ("send_bytes", "send"),
                       ("recv", "recv"), ("recv_bytes", "recv")):
        _patch(cls, name, _conn_op(cls.__dict__[name], kind))


def _rebuild_tagged(rebuild, args, ch):
    """Unpickles a tagged connection (spawn, forkserver, or sent over a pipe) with its tag."""
    conn = rebuild(*args)
    try:
        conn._carrera_ch = ch
    except Exception:
        pass
    return conn


def _patch_pipe(conn_mod, reduction):
    """Pipe() tags both ends with one channel id, so a send and its recv share a key: the
    attribute is inherited by fork and carried through pickling by the reducer below."""
    orig_pipe = conn_mod.Pipe

    def Pipe(*args, **kwargs):
        pair = orig_pipe(*args, **kwargs)
        try:
            cid = "pipe:%d:%d" % (os.getpid(), next(_pipe_ids))
            pair[0]._carrera_ch = (cid, 0)
            pair[1]._carrera_ch = (cid, 1)
        except Exception:
            pass
        return pair

    _patch(conn_mod, "Pipe", _named(Pipe, orig_pipe))

    table = reduction.ForkingPickler._extra_reducers
    orig_reduce = table.get(getattr(conn_mod, "Connection", None))
    if orig_reduce is None:
        return
    rebuild_tagged = _rebuild_tagged

    def reduce_connection(conn):
        rv = orig_reduce(conn)
        ch = getattr(conn, "_carrera_ch", None)
        if ch is None or len(rv) != 2:
            return rv
        return rebuild_tagged, (rv[0], rv[1], ch)

    _patch_item(table, conn_mod.Connection, _named(reduce_connection, orig_reduce))


# -- processes ----------------------------------------------------------------------------------

def _patch_process(cls, gate_ms, dump_signal):
    orig_bootstrap, orig_start = cls._bootstrap, cls.start
    orig_join, orig_close, orig_terminate = cls.join, cls.close, cls.terminate
    gate, gate_target, started = noise.gate, noise.gate_target, _started
    record, patch_pool, is_pool_worker = trace.op, _maybe_patch_pool, _is_pool_worker
    ask = _ask_for_trace

    def _bootstrap(self, *args, **kwargs):
        # Runs in the child. Wrap this instance's run(): the gate must be the last thing before
        # the student's code, and run()'s exception must be seen before _bootstrap prints it.
        trace.set_role("child")  # from now on a dump signal writes a partial summary
        if is_pool_worker(self):
            _pool_worker_setup(self)
        run = self.run
        target = getattr(self, "_carrera_gate", None)  # chosen by the parent in start()

        def run_with_gate():
            gate(gate_ms, target)
            trace.run_started()
            try:
                return run()
            except SystemExit as e:
                if e.code not in (None, 0):
                    trace.set_error(e)
                raise
            except BaseException as e:
                trace.set_error(e)
                raise
            finally:
                trace.run_ended()

        try:
            self.run = run_with_gate
        except Exception:
            pass
        try:
            return orig_bootstrap(self, *args, **kwargs)
        finally:
            trace.write_summary("child")

    def start(self):
        global _gate_target
        if gate_ms:
            # Set before the original start() so that it reaches the child by fork or pickle.
            _gate_target = self._carrera_gate = gate_target(gate_ms, _gate_target)
        patch_pool()  # a Pool starts its workers before it starts its task thread
        pool_worker = is_pool_worker(self)  # start() deletes _target
        orig_start(self)
        started.append([self, self.pid, self.name, False, None, pool_worker])
        record("proc_start", str(self.pid), {"name": self.name})

    def _entry(proc):
        for e in started:
            if e[0] is proc:
                return e
        return None

    def join(self, timeout=None):
        result = orig_join(self, timeout)
        e = _entry(self)
        if e is not None:
            code = self.exitcode
            if code is not None:  # a join that timed out did not join anything
                e[3], e[4] = True, code
                record("proc_join", str(e[1]))
        return result

    def close(self):
        e = _entry(self)
        if e is not None and self._popen is not None:
            e[4] = self._popen.poll()  # close() forgets the exit code; keep it for CHILD
        return orig_close(self)

    def terminate(self):
        # Pool.terminate() (so `with Pool() as p` on exit) kills its workers, which would take
        # their task events with them: ask for their summary first (bounded wait).
        e = _entry(self) if dump_signal else None
        if e is not None and e[5]:
            try:
                ask(self, e[1], dump_signal)
            except Exception:
                pass
        return orig_terminate(self)

    _patch(cls, "_bootstrap", _bootstrap)
    _patch(cls, "start", start)
    _patch(cls, "join", join)
    _patch(cls, "close", close)
    _patch(cls, "terminate", terminate)


_ASK_WAIT_S = 0.25   # a worker inside one long C call cannot answer: terminate it anyway
_ASK_AGAIN_S = 0.05  # a signal that came just before it blocked waits for the next one


def _ask_for_trace(proc, pid, signum, _sleep=None):
    """Send the dump signal (stacks, then the partial summary, see dump.py) and wait until the
    summary file is replaced or the process is gone. Only processes whose summary file is a
    partial one are asked: they have the handler and a role. Not one that wrote its complete
    summary: it may be past the interpreter's finalization, which restores the signal's default
    action (death). Only timing changes: terminate() follows either way."""
    path = trace.trace_path(pid)
    if not trace.is_partial(path):
        return

    def ident():
        try:
            st = os.stat(path)
            return st.st_ino, st.st_mtime_ns
        except OSError:
            return None

    before = ident()
    if before is None:
        return
    start = real_monotonic()  # a real-time bound, also under dilation
    sent = None
    while proc.exitcode is None and ident() == before:
        now = real_monotonic()
        if now - start > _ASK_WAIT_S:
            return
        if sent is None or now - sent > _ASK_AGAIN_S:
            os.kill(pid, signum)
            sent = now
        real_sleep(0.002)


def _pool_worker_setup(proc):
    try:
        # Its task and result queues are the Pool's machinery (re-made under spawn, so marked
        # here); the tasks' own code is traced as usual.
        for q in proc._args[:2]:
            q._carrera_internal = True
    except Exception:
        pass
    # An empty summary right away: a lane for the grader even if it is killed before any
    # task, and the sign for Pool.terminate() in the parent that it can be asked for more.
    trace.write_partial()


def _is_pool_worker(proc):
    mp_pool = sys.modules.get("multiprocessing.pool")
    return (mp_pool is not None
            and getattr(proc, "_target", None) is getattr(mp_pool, "worker", _MISSING))


# -- Pool ---------------------------------------------------------------------------------------

class PoolTask(object):
    """What a Pool worker calls instead of a task's function: the function itself, between a
    pool_task_start and a pool_task_end event. Pickled to the worker with the task (under every
    start method); the worker imports this module from PYTHONPATH to unpickle it."""

    __slots__ = ("func", "key", "n")

    def __init__(self, func, key, n):
        self.func, self.key, self.n = func, key, n

    def __reduce__(self):
        return PoolTask, (self.func, self.key, self.n)

    def __call__(self, *args, **kwds):
        trace.record("pool_task_start", self.key, {"n": self.n})
        try:
            result = self.func(*args, **kwds)
        except BaseException as e:
            trace.record("pool_task_end", self.key, {"n": self.n, "exc": type(e).__name__})
            raise
        trace.record("pool_task_end", self.key, {"n": self.n})
        return result


def _maybe_patch_pool():
    global _pool_patched
    if _pool_patched:
        return
    mp_pool = sys.modules.get("multiprocessing.pool")
    if mp_pool is None:
        return
    _pool_patched = True
    try:
        _patch_pool(mp_pool, sys.modules["multiprocessing.connection"]._ConnectionBase)
    except Exception:
        pass  # tasks untraced, the program unchanged


def _tag_tasks(put, helper, stars):
    """The task thread's put(): each (job, i, func, args, kwds) goes out with func wrapped in a
    PoolTask keyed "<job>:<i>". Everything else (the None sentinels) goes out as it is."""

    def put_tagged(task):
        try:
            if type(task) is tuple and len(task) == 5 and task[2] is not helper:
                # Not _helper_reraises_exception: the worker compares func with it by identity.
                job, i, func, args, kwds = task
                n = 1
                if func is stars[0] or func is stars[1]:  # args = ((fn, chunk),)
                    try:
                        n = len(args[0][1])
                    except Exception:
                        n = 1
                task = (job, i, PoolTask(func, "%s:%s" % (job, i), n), args, kwds)
        except Exception:
            pass
        return put(task)

    return put_tagged


def _patch_pool(mp_pool, conn_base):
    cls = mp_pool.Pool
    tasks = cls.__dict__["_handle_tasks"].__func__
    results = cls.__dict__["_handle_results"].__func__
    helper = getattr(mp_pool, "_helper_reraises_exception", None)
    stars = (getattr(mp_pool, "mapstar", None), getattr(mp_pool, "starmapstar", None))
    quiet_tasks, tag = _quiet(tasks), _tag_tasks

    def _handle_tasks(*args, **kwargs):
        # Only a process pool's put() is a pipe's send (a ThreadPool's tasks stay in-process).
        if len(args) > 1 and isinstance(getattr(args[1], "__self__", None), conn_base):
            args = (args[0], tag(args[1], helper, stars)) + args[2:]
        return quiet_tasks(*args, **kwargs)

    _patch(cls, "_handle_tasks", staticmethod(_named(_handle_tasks, tasks)))
    # The rest of the Pool's machinery in the parent moves tasks, results and notices through
    # its queues' pipes and locks: quiet, like a queue's own traffic (its workers' starts and
    # joins stay visible).
    for name in ("_handle_results", "_handle_workers", "_terminate_pool", "close", "__del__"):
        raw = cls.__dict__.get(name)
        if isinstance(raw, staticmethod):
            _patch(cls, name, staticmethod(_quiet(raw.__func__)))
        elif isinstance(raw, classmethod):
            _patch(cls, name, classmethod(_quiet(raw.__func__)))
        elif raw is not None:
            _patch(cls, name, _quiet(raw))


def started_count():
    return len(_started)


def children_since(n):
    """CHILD records for the processes started after the first n, read now."""
    out = []
    for proc, pid, name, joined, code, _ in _started[n:]:
        try:
            alive = proc.is_alive()
            code = proc.exitcode
        except ValueError:  # closed: it had finished; keep what join()/close() saw
            alive = False
        out.append({"pid": pid, "name": name, "joined": joined, "alive": alive,
                    "exitcode": code})
    return out
