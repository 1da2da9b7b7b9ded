# expect: crash
"""`raise SystemExit(0)` at import: a "successful" exit while the module is being imported.

Fair verdict: `crash`: the module cannot be imported, so the function never runs; a
SystemExit with code 0 is still a failed import. Seen by the import trial.
"""

raise SystemExit(0)


def count_with_lock(n_procs, n_increments):
    return n_procs * n_increments
