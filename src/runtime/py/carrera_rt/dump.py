"""Per-pid faulthandler files, so a hung tree can be asked for its stacks (dump signal) and fatal
errors land in a file instead of interleaving on a shared stderr."""
import faulthandler
import os

_dir = None
_signal = None
_file = None


def arm(profile):
    global _dir, _signal
    _dir = profile.dir
    _signal = profile.dump_signal
    _open_and_register()


def rearm():
    """After fork: the inherited handler writes to the parent's file; give the child its own."""
    if _dir is not None:
        _open_and_register()


def _open_and_register():
    global _file
    ddir = os.path.join(_dir, "dumps")
    os.makedirs(ddir, exist_ok=True)
    f = open(os.path.join(ddir, "%d.txt" % os.getpid()), "wb", buffering=0)
    faulthandler.enable(file=f, all_threads=True)
    if _signal:
        faulthandler.register(_signal, file=f, all_threads=True, chain=False)
    # Keep our own reference so the fd stays open as long as the handlers point at it.
    old, _file = _file, f
    if old is not None:
        old.close()


def disarm():
    global _file, _dir
    if _dir is None:
        return
    if _signal:
        faulthandler.unregister(_signal)
    faulthandler.disable()
    if _file is not None:
        _file.close()
    _file = None
    _dir = None
