"""03-queue harness: runs inside the student's process tree and only reports what it saw.

The student's parallel_map gets `task` as its fn. `task` records, in whatever process runs it,
a `task` trace event keyed by the item's key; the judge reads those events to see which
processes computed the items. Nothing here decides a verdict.
"""
import hashlib
import math
import time

from carrera_rt import trace

TICK = 0.02  # seconds


def _payload(key, size):
    """The value task((key, size, delay_ms)) returns: `size` bytes that depend on key."""
    block = hashlib.sha256(b"item-%d" % key).digest()
    return (block * (size // len(block) + 1))[:size]


def task(item):
    """fn for parallel_map: module-level, so it travels by name under spawn and forkserver."""
    key, size, delay_ms = item
    trace.record("task", str(key))
    if delay_ms:
        # Sleep at least delay_ms and end on a TICK boundary of wall-clock time, so that items
        # of the same length computed at the same time also end at the same time.
        now = time.time()
        end = math.ceil((now + delay_ms / 1000.0) / TICK) * TICK
        time.sleep(max(0.0, end - now))
    return _payload(key, size)


def run(fn, fn_name, items, n_workers):
    items = [tuple(it) for it in items]
    # Which item each possible result belongs to (computed here, without calling task, so the
    # main process records no `task` event of its own).
    owner = {_payload(key, size): i for i, (key, size, _) in enumerate(items)}
    out = fn(task, items, n_workers)
    if not isinstance(out, (list, tuple)):
        return {"result": "returned %s, not a list" % type(out).__name__, "order": None}
    # -1: an element that is not the result of any item (None, a tuple, the item itself...).
    order = []
    for r in out:
        try:
            order.append(owner.get(r, -1))
        except TypeError:  # unhashable
            order.append(-1)
    return {"result": sorted(order), "order": order}
