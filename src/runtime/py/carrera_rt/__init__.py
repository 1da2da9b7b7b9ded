"""carrera runtime: noise, start gate, start-method pin, stack dumps, tracing and time dilation
for the multiprocessing code of a trial. See docs/runtime-protocol.md; sitecustomize calls
install()."""
import os

_profile = None  # the installed Profile, None until install() succeeded
_fork_hook = False


def profile():
    return _profile


def install():
    """Install everything or nothing: on failure every hook set so far is removed again."""
    global _profile, _fork_hook
    if _profile is not None:
        return
    from . import config
    prof = config.from_env()
    if prof is None:
        return
    from . import clock, dump, hooks, noise, trace
    try:
        # First, also without instrumentation (a whole program's run may want only this).
        # The runtime's own clocks stay real (clock.real_*); forked children inherit it as is.
        if prof.dilation is not None:
            clock.install(*prof.dilation)
        noise.init(prof)
        trace.init(prof)
        if prof.instrument:
            dump.arm(prof)
            hooks.install(prof)
        else:
            hooks.install_plain(prof)
    except BaseException:
        hooks.uninstall()
        dump.disarm()
        clock.uninstall()
        raise
    _profile = prof
    if not _fork_hook:
        # spawn and forkserver children run sitecustomize themselves; fork children do not.
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _fork_hook = True


def _after_fork_in_child():
    if _profile is None:
        return
    from . import dump, hooks, noise, trace
    for step in (noise.reseed, trace.after_fork, hooks.after_fork, dump.rearm):
        try:
            step()
        except Exception:  # an at-fork callback must not break the child
            pass
