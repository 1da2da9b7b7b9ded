# expect: resource_limit
"""Output flooding: the function prints forever (60 s at most) and never returns.

It writes 64 KiB chunks of "PASS PASS ..." to standard output as fast as the pipe takes them.
Nothing else happens: no process, no result.

Fair verdict: `resource_limit` ("loops that ... print ... without end"): the output limit is
1 MiB per stream, and this passes it within milliseconds, long before any timeout. A grader
that caps output kills the tree there and says so; one that only drains and counts the
output waits for the trial's timeout and calls it a `busy_hang`, which hides the cause.
The output cap lives in the grader, not in a sandbox tier, so there is no minimal exception.
"""
import sys
import time

_CHUNK = ("PASS " * 13 + "\n") * 1008  # 64,512 bytes


def count_with_lock(n_procs, n_increments):
    until = time.monotonic() + 60.0
    while time.monotonic() < until:
        sys.stdout.write(_CHUNK)
        sys.stdout.flush()
    return n_procs * n_increments
