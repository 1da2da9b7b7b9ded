# expect: crash
"""`os._exit(0)` at import: the interpreter ends with status 0 before the grader's runner
can call anything (no exception, no atexit handler, no record).

Fair verdict: `crash`: a program that exits with 0 but produced no result has not passed;
exit status 0 is never a pass by itself. Seen by the import trial, so no stress is run.
"""
import os

os._exit(0)


def count_with_lock(n_procs, n_increments):
    return n_procs * n_increments
