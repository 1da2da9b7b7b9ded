"""Per-pid faulthandler files, so a hung tree can be asked for its stacks (dump signal) and fatal
errors land in a file instead of interleaving on a shared stderr. The dump signal also makes the
process write its trace summary so far (partial): faulthandler dumps the stacks from its C
handler, then chains to Python's handler, which runs in the main thread at its next
opportunity (a blocked SemLock.acquire, read, waitpid or sleep is interrupted, runs the handler
and resumes, PEP 475). A signal that lands just before the main thread blocks (between its last
check and the blocking call) only runs the handler when the thread next wakes up: another
signal does that.

Python handlers are not installed for signals whose default action matters (SIGTERM): that same
gap would turn a kill into a hang."""
import faulthandler
import os
import signal

from . import trace

_dir = None
_signal = None
_file = None
_chain = False   # our Python handler is installed: faulthandler chains to it
_previous = None  # the Python-level handler it replaced


def _on_dump_signal(signum, frame, _partial=trace.write_partial):
    try:
        _partial()
    except BaseException:  # never raise into whatever the main thread was doing
        pass


def arm(profile):
    global _dir, _signal, _chain, _previous
    _dir = profile.dir
    _signal = profile.dump_signal
    _chain = False
    if _signal:
        # Before faulthandler.register, which then keeps it as the handler to chain to.
        try:
            _previous = signal.signal(_signal, _on_dump_signal)
            _chain = True
        except (ValueError, OSError, RuntimeError):  # not the main thread, or not catchable
            pass
    _open_and_register()


def rearm():
    """After fork: the inherited handler writes to the parent's file; give the child its own.
    The Python handler is inherited as it is (it reads the child's own trace state)."""
    if _dir is not None:
        _open_and_register()


def _open_and_register():
    global _file
    ddir = os.path.join(_dir, "dumps")
    os.makedirs(ddir, exist_ok=True)
    f = open(os.path.join(ddir, "%d.txt" % os.getpid()), "wb", buffering=0)
    faulthandler.enable(file=f, all_threads=True)
    if _signal:
        # chain only to our handler: chaining to the default action would kill the process.
        faulthandler.register(_signal, file=f, all_threads=True, chain=_chain)
    # Keep our own reference so the fd stays open as long as the handlers point at it.
    old, _file = _file, f
    if old is not None:
        old.close()


def disarm():
    global _file, _dir, _chain
    if _dir is None:
        return
    if _signal:
        faulthandler.unregister(_signal)
        if _chain:
            try:
                signal.signal(_signal, signal.SIG_DFL if _previous is None else _previous)
            except (ValueError, OSError, RuntimeError, TypeError):
                pass
            _chain = False
    faulthandler.disable()
    if _file is not None:
        _file.close()
    _file = None
    _dir = None
