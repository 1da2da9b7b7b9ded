"""carrera runtime entry point.

Python imports this module at start-up in every interpreter of a trial because the grader puts its
directory first on PYTHONPATH. Without CARRERA_PROFILE it does nothing at all, so the same
directory is harmless in any other process.
"""
import os as _os

if _os.environ.get("CARRERA_PROFILE"):
    try:
        import carrera_rt as _carrera_rt

        _carrera_rt.install()
    except BaseException as _e:  # never let the runtime crash the student's interpreter
        try:
            import sys as _sys

            _line = ("carrera-runtime: failed to install: %r" % (_e,)).replace("\n", "\\n")
            _sys.stderr.write(_line + "\n")
            _sys.stderr.flush()
        except BaseException:
            pass
