# expect: compile_error
"""A missing colon: Python cannot even read the file."""
import multiprocessing as mp


def count_with_lock(n_procs, n_increments)
    counter = mp.Value("i", 0)
    return counter.value
