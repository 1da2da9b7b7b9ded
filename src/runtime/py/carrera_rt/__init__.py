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
    if prof.program:
        _program_main()
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


# The variable the grader sets for the program's first interpreter only: taken out of the
# environment at once, so no child (fork, spawn or forkserver) inherits it.
PROGRAM_MAIN_VAR = "CARRERA_PROGRAM_MAIN"


def _program_main():
    """In a whole program's first interpreter: it is the run's main process, and writes its
    summary when the interpreter exits (after an uncaught exception too)."""
    if os.environ.pop(PROGRAM_MAIN_VAR, None) != "1":
        return
    import atexit
    import sys
    from . import trace
    trace.set_role("main")  # from now on a dump signal writes a partial summary
    trace.run_started()
    previous = sys.excepthook

    def excepthook(tp, value, tb):
        trace.set_error(value)
        previous(tp, value, tb)

    sys.excepthook = excepthook

    def at_exit():
        trace.run_ended()
        trace.write_summary("main")

    atexit.register(at_exit)
