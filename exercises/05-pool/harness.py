"""05-pool harness: runs inside the student's process tree and only reports what it saw.

Besides the result it measures CPU time: the main process's own during the call, and that of
the child processes the main process reaped during the call (resource.getrusage). Nothing here
decides a verdict.
"""
import resource
import time


def _reaped_children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(fn, limit, n_workers):
    c0 = _reaped_children_cpu()
    p0 = time.process_time()
    result = fn(limit, n_workers)
    parent_cpu = time.process_time() - p0
    children_cpu = _reaped_children_cpu() - c0
    return {"result": result, "parent_cpu_s": parent_cpu, "reaped_children_cpu_s": children_cpu}
