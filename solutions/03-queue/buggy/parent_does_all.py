# expect: not_parallel
"""Computes every item in the parent: the result is right but no worker process ever runs."""


def parallel_map(fn, items, n_workers):
    return [fn(item) for item in items]
