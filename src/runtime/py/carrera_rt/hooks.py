"""The multiprocessing patches. Every wrapper calls the original with the same arguments and returns
its result; noise and tracing happen around the call, so only timing changes.

Wrappers bind what they need (noise, record, originals) as closure variables instead of reading
module globals, so they keep working during interpreter shutdown when globals may be cleared."""
import sys

from . import noise, trace

_MISSING = object()
_patches = []   # (owner, attribute, previous value or _MISSING), for rollback
_forced = None  # start method pinned by the profile, or None
# Processes this process started: [process, pid, name, joined, exitcode-at-join/close].
_started = []
_gate_target = None  # start-gate instant shared by the children started close together


def _patch(owner, name, new):
    _patches.append((owner, name, owner.__dict__.get(name, _MISSING)))
    setattr(owner, name, new)


def uninstall():
    """Undo every patch, newest first (used when install fails half-way)."""
    while _patches:
        owner, name, old = _patches.pop()
        if old is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, old)


def after_fork():
    # The parent's children and gate are not the forked child's.
    global _gate_target
    del _started[:]
    _gate_target = None


def install(profile):
    global _forced
    import multiprocessing
    import multiprocessing.connection
    import multiprocessing.context
    import multiprocessing.process
    import multiprocessing.queues
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
        _patch_process(multiprocessing.process.BaseProcess, profile.gate_ms)
    except BaseException:
        uninstall()
        dc._actual_context, _forced = previous, None
        raise


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


def _patch_semlock(cls):
    orig_make = cls._make_methods
    maybe_noise, record = noise.maybe_noise, trace.record

    def _make_methods(self):
        orig_make(self)
        raw_acquire, raw_release = self.acquire, self.release
        key = _lock_key(self._semlock)
        # Named semaphores outlive a killed tree in /dev/shm; the grader unlinks what is listed.
        trace.note_semaphore(getattr(self._semlock, "name", None))

        def acquire(*args, **kwargs):
            maybe_noise()
            ok = raw_acquire(*args, **kwargs)
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


def _patch_shared(sc):
    maybe_noise, record = noise.maybe_noise, trace.record
    prop = sc.Synchronized.value

    def get_value(self):
        v = prop.fget(self)
        record("value_get", _shared_key(self))
        maybe_noise()  # after the read: widens the read-modify-write window of `v.value += 1`
        return v

    def set_value(self, v):
        maybe_noise()  # before the write
        prop.fset(self, v)
        record("value_set", _shared_key(self))

    orig_get = sc.SynchronizedArray.__getitem__
    orig_set = sc.SynchronizedArray.__setitem__

    def __getitem__(self, i):
        v = orig_get(self, i)
        record("array_get", _shared_key(self))
        maybe_noise()
        return v

    def __setitem__(self, i, v):
        maybe_noise()
        orig_set(self, i, v)
        record("array_set", _shared_key(self))

    _patch(sc.Synchronized, "value", property(get_value, set_value, prop.fdel, prop.__doc__))
    _patch(sc.SynchronizedArray, "__getitem__", __getitem__)
    _patch(sc.SynchronizedArray, "__setitem__", __setitem__)


# -- Queue / Connection -------------------------------------------------------------------------

def _before(orig, kind):
    """Wrap a method with noise before the call and a count after it."""
    maybe_noise, record = noise.maybe_noise, trace.record

    def wrapper(self, *args, **kwargs):
        maybe_noise()
        result = orig(self, *args, **kwargs)
        record(kind, hex(id(self)))
        return result

    wrapper.__name__ = getattr(orig, "__name__", kind)
    wrapper.__doc__ = getattr(orig, "__doc__", None)
    return wrapper


def _patch_queues(q):
    # JoinableQueue.put and SimpleQueue do not go through Queue.put/get, so wrap them too.
    for cls in (q.Queue, q.JoinableQueue, q.SimpleQueue):
        for name, kind in (("put", "queue_put"), ("get", "queue_get")):
            if name in cls.__dict__:
                _patch(cls, name, _before(cls.__dict__[name], kind))


def _patch_connection(cls):
    for name, kind in (("send", "send"), ("send_bytes", "send"),
                       ("recv", "recv"), ("recv_bytes", "recv")):
        _patch(cls, name, _before(cls.__dict__[name], kind))


# -- processes ----------------------------------------------------------------------------------

def _patch_process(cls, gate_ms):
    orig_bootstrap, orig_start = cls._bootstrap, cls.start
    orig_join, orig_close = cls.join, cls.close
    gate, gate_target, started = noise.gate, noise.gate_target, _started

    def _bootstrap(self, *args, **kwargs):
        # Runs in the child. Wrap this instance's run(): the gate must be the last thing before
        # the student's code, and run()'s exception must be seen before _bootstrap prints it.
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
        orig_start(self)
        started.append([self, self.pid, self.name, False, None])

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
        return result

    def close(self):
        e = _entry(self)
        if e is not None and self._popen is not None:
            e[4] = self._popen.poll()  # close() forgets the exit code; keep it for CHILD
        return orig_close(self)

    _patch(cls, "_bootstrap", _bootstrap)
    _patch(cls, "start", start)
    _patch(cls, "join", join)
    _patch(cls, "close", close)


def started_count():
    return len(_started)


def children_since(n):
    """CHILD records for the processes started after the first n, read now."""
    out = []
    for proc, pid, name, joined, code in _started[n:]:
        try:
            alive = proc.is_alive()
            code = proc.exitcode
        except ValueError:  # closed: it had finished; keep what join()/close() saw
            alive = False
        out.append({"pid": pid, "name": name, "joined": joined, "alive": alive,
                    "exitcode": code})
    return out
