"""Time dilation: a virtual clock K times faster than real time, shared by every process of a
run (profile field "dilation", see docs/runtime-protocol.md).

Virtual wall time is E + (real - E) * K, E being the real time.time() at which the grader started
the run; every process computes it from the same E, so fork, spawn and forkserver children are
on one clock. time.sleep(s) sleeps s / K. Blocking timeouts (locks, queues, pipes, joins,
select) are not scaled.

The runtime's own timestamps and waits use the real_* functions below, captured when this module
is imported (always before install() patches anything)."""
import sys
import time

real_time = time.time
real_time_ns = time.time_ns
real_sleep = time.sleep
real_monotonic = time.monotonic
real_monotonic_ns = time.monotonic_ns
real_perf_counter = time.perf_counter
real_perf_counter_ns = time.perf_counter_ns
_real_gmtime = time.gmtime

_NS = 10 ** 9
_MISSING = object()
_patches = []  # (owner, name, previous value or _MISSING), restored newest first
_copyreg = []  # classes given a copyreg reducer
_orig_of = {}  # patched datetime class -> the original it stands for (isinstance)
_k = None


def active():
    return _k is not None


def factor():
    """K, or None when no dilation is installed."""
    return _k


def _set(owner, name, new, is_dict=False):
    if is_dict:
        _patches.append((owner, name, owner.get(name, _MISSING), True))
        owner[name] = new
    else:
        _patches.append((owner, name, owner.__dict__.get(name, _MISSING)))
        setattr(owner, name, new)


def _like(fn, orig):
    # Same names as the original, so pickling time.sleep by reference still finds it.
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:
            setattr(fn, attr, getattr(orig, attr))
        except (AttributeError, TypeError):
            pass
    return fn


def _anchor_ns(clock_ns, epoch_ns):
    """The value clock_ns had at the real wall-clock instant epoch_ns. Derived from the epoch
    rather than from this process's start, so every process gets (nearly) the same anchor and
    virtual monotonic readings stay comparable across processes. The pair is read a few times
    and the tightest reading kept: a preemption between the two reads would shift the anchor."""
    best = None
    for _ in range(5):
        c1 = clock_ns()
        w = real_time_ns()
        c2 = clock_ns()
        if best is None or c2 - c1 < best[0]:
            best = (c2 - c1, (c1 + c2) // 2 - (w - epoch_ns))
        if best[0] < 20000:
            break
    return best[1]


def _scaled(real_s, real_ns, anchor_ns, k):
    """A clock K times faster than (real_s, real_ns), equal to it at anchor_ns: an increasing
    affine map of a clock that never goes backwards, so it never goes backwards either."""
    anchor_s = anchor_ns / 1e9

    def seconds():
        return anchor_s + (real_s() - anchor_s) * k

    def nanoseconds():
        return anchor_ns + int((real_ns() - anchor_ns) * k)

    return seconds, nanoseconds


def install(k, epoch):
    """Patch time and datetime for the virtual clock (k >= 1, epoch in seconds). Idempotent."""
    global _k
    if _k is not None:
        return
    # Imported before patching: they bind time.monotonic at import (threading._time,
    # queue's time), so their timeouts keep running in real time like the C ones.
    import queue  # noqa: F401
    import threading  # noqa: F401
    try:
        _install_datetime(_install_time(k, epoch))
    except BaseException:
        uninstall()
        raise
    _k = k


def _install_time(k, epoch):
    # Not round(epoch * 1e9): that product's float spacing is 256 ns.
    whole = int(epoch)
    epoch_ns = whole * _NS + int(round((epoch - whole) * 1e9))
    k_per_ns = k / 1e9

    def vtime():
        return epoch + (real_time_ns() - epoch_ns) * k_per_ns

    def vtime_ns():
        return epoch_ns + int((real_time_ns() - epoch_ns) * k)

    vmono, vmono_ns = _scaled(real_monotonic, real_monotonic_ns,
                              _anchor_ns(real_monotonic_ns, epoch_ns), k)
    vperf, vperf_ns = _scaled(real_perf_counter, real_perf_counter_ns,
                              _anchor_ns(real_perf_counter_ns, epoch_ns), k)

    def sleep(*args, **kwargs):
        if len(args) != 1 or kwargs:
            return real_sleep(*args, **kwargs)  # the original's own TypeError
        secs = args[0]
        if not isinstance(secs, float):
            try:
                secs = _index(secs)
            except TypeError:
                return real_sleep(secs)  # rejected by the original, with its message
        try:
            scaled = secs / k
        except OverflowError:
            return real_sleep(secs)  # a huge int: the original's OverflowError
        # Negative and NaN stay so after scaling: the original raises its ValueError.
        return real_sleep(scaled)

    _set(time, "time", _like(vtime, real_time))
    _set(time, "time_ns", _like(vtime_ns, real_time_ns))
    _set(time, "sleep", _like(sleep, real_sleep))
    _set(time, "monotonic", _like(vmono, real_monotonic))
    _set(time, "monotonic_ns", _like(vmono_ns, real_monotonic_ns))
    _set(time, "perf_counter", _like(vperf, real_perf_counter))
    _set(time, "perf_counter_ns", _like(vperf_ns, real_perf_counter_ns))

    localtime = time.localtime
    # These read the current time in C when their time argument is missing (or None for the
    # first three): give them the virtual now instead; any other call goes through as it is.
    for name, pos, none_is_now, now in (
            ("localtime", 0, True, vtime), ("gmtime", 0, True, vtime),
            ("ctime", 0, True, vtime), ("asctime", 0, False, lambda: localtime(vtime())),
            ("strftime", 1, False, lambda: localtime(vtime()))):
        orig = getattr(time, name)
        _set(time, name, _like(_default_now(orig, pos, none_is_now, now), orig))
    return vtime_ns


def _index(x):
    import operator
    return operator.index(x)


def _default_now(orig, pos, none_is_now, now):
    def wrapper(*args, **kwargs):
        if not kwargs and (len(args) == pos or (none_is_now and len(args) == pos + 1
                                                 and args[pos] is None)):
            args = args[:pos] + (now(),)
        return orig(*args, **kwargs)
    return wrapper


# -- datetime ------------------------------------------------------------------------------------

class _StandIn(type):
    """Metaclass of the patched datetime.datetime and datetime.date: an object of the original
    class (made before install, or by C code that builds the original type, as arithmetic on
    such an object does) still passes isinstance and issubclass."""

    def __instancecheck__(cls, obj):
        orig = _orig_of.get(cls)
        if orig is None:  # a program's own subclass: the usual rule
            return type.__instancecheck__(cls, obj)
        return isinstance(obj, orig)

    def __subclasscheck__(cls, sub):
        orig = _orig_of.get(cls)
        if orig is None:
            return type.__subclasscheck__(cls, sub)
        return issubclass(sub, orig)


def _install_datetime(vtime_ns):
    import copyreg
    import datetime as dt_mod
    odate, odt = dt_mod.date, dt_mod.datetime
    gmtime = _real_gmtime
    warn_utcnow = sys.version_info >= (3, 12)

    def _repr_with_module(orig_repr, cls_ref):
        # C builds the repr from the type's tp_name, which for a Python subclass lacks
        # "datetime.": keep the original's text.
        def __repr__(self):
            r = orig_repr(self)
            if type(self) is cls_ref[0] and not r.startswith("datetime."):
                r = "datetime." + r
            return r
        return __repr__

    def now_split():
        # Virtual now as (whole seconds, microseconds), floored like the C now().
        s, ns = divmod(vtime_ns(), _NS)
        return s, ns // 1000

    date_ref, dt_ref = [None], [None]

    class date(odate, metaclass=_StandIn):
        __slots__ = ()
        # today() needs nothing: the C one calls time.time() through the time module.
        __repr__ = _repr_with_module(odate.__repr__, date_ref)

    class datetime(odt, metaclass=_StandIn):
        __slots__ = ()
        __repr__ = _repr_with_module(odt.__repr__, dt_ref)

        @classmethod
        def now(cls, tz=None):
            s, us = now_split()
            # s + us/1e6 is within 0.3 us of the exact value: fromtimestamp's rounding to the
            # microsecond gives back exactly (s, us).
            return cls.fromtimestamp(s + us / 1e6, tz)

        @classmethod
        def utcnow(cls):
            if warn_utcnow:
                import warnings
                warnings.warn(
                    "datetime.datetime.utcnow() is deprecated and scheduled for removal in a "
                    "future version. Use timezone-aware objects to represent datetimes in UTC: "
                    "datetime.datetime.now(datetime.UTC).", DeprecationWarning, stacklevel=2)
            s, us = now_split()
            t = gmtime(s)
            return cls(t[0], t[1], t[2], t[3], t[4], t[5], us, None)

        def date(self):
            # The C date() builds the original date class.
            return date_ref[0](self.year, self.month, self.day)

    date_ref[0], dt_ref[0] = date, datetime
    for new, orig in ((date, odate), (datetime, odt)):
        new.__module__, new.__qualname__, new.__name__ = "datetime", orig.__name__, orig.__name__
        new.__doc__ = orig.__doc__
        _orig_of[new] = orig
        for attr in ("min", "max"):
            o = getattr(orig, attr)
            args = (o.year, o.month, o.day)
            if orig is odt:
                args += (o.hour, o.minute, o.second, o.microsecond)
            setattr(new, attr, new(*args))

    # Pickle and copy instances of the original classes as the patched ones: pickle stores a
    # class by name and refuses one that is no longer what its module names.
    def reducer(cls):
        def reduce(obj):
            rv = obj.__reduce_ex__(4)
            return (cls,) + tuple(rv[1:])
        return reduce

    for new, orig in ((date, odate), (datetime, odt)):
        if orig not in copyreg.dispatch_table:
            copyreg.pickle(orig, reducer(new))
            _copyreg.append(orig)

    _set(dt_mod, "date", date)
    _set(dt_mod, "datetime", datetime)
    # Modules that did `from datetime import datetime` before us (a harness preloaded by the
    # warm server, ...): their globals get the patched classes too.
    swap = {odate: date, odt: datetime}
    skip = (dt_mod, sys.modules.get("_datetime"), sys.modules.get("_pydatetime"),
            sys.modules.get(__name__))
    for mod in list(sys.modules.values()):
        if mod is None or any(mod is s for s in skip):
            continue
        try:
            d = mod.__dict__
            if type(d) is not dict:
                continue
            hits = [k for k, v in d.items() if v is odate or v is odt]
        except Exception:
            continue
        for k in hits:
            _set(d, k, swap[d[k]], is_dict=True)


def uninstall():
    """Undo install() (used when the runtime's install fails half-way)."""
    global _k
    import copyreg
    while _patches:
        entry = _patches.pop()
        owner, name, old = entry[:3]
        if len(entry) > 3:
            if old is _MISSING:
                owner.pop(name, None)
            else:
                owner[name] = old
        elif old is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, old)
    while _copyreg:
        copyreg.dispatch_table.pop(_copyreg.pop(), None)
    _orig_of.clear()
    _k = None
