"""04-lock harness: runs inside the student's process tree and only reports what it saw."""


def run(fn, n_procs, n_increments):
    return {"result": fn(n_procs, n_increments)}
