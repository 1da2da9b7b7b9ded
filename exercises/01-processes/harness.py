"""01-processes harness: runs inside the student's process tree and only reports what it saw.

It hands the student's function `task`, a module-level function (so it pickles by name under
spawn and forkserver: this file's folder is on sys.path in every process of the trial). Each
call records, in the process that makes it, when task(i) started and ended; the judge reads
those events from the per-process traces and compares them with the PIDs the function returned.
"""
import random
import time

from carrera_rt import trace

# Long enough that tasks started together overlap by a wide margin even when spawned
# interpreters boot a few hundred milliseconds apart on a loaded machine; short enough to keep
# trials fast. The random extra makes tasks finish in a different order on every run, as real
# work would: code that relies on the order in which children finish fails visibly.
TASK_SECONDS = 0.5
TASK_JITTER = 0.2


def task(i):
    """The work of one process: note the start, sleep a little, note the end."""
    key = repr(i)
    trace.record("task_start", key)
    time.sleep(TASK_SECONDS + random.uniform(0, TASK_JITTER))
    trace.record("task_end", key)


def run(fn, n):
    return {"result": fn(n, task)}
