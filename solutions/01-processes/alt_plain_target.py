# expect: pass
"""Style: plain Process objects with task itself as target; PIDs read from p.pid in the parent."""

import multiprocessing


def run_workers(n: int, task) -> list[int]:
    processes = [multiprocessing.Process(target=task, args=(i,)) for i in range(n)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    return [p.pid for p in processes]
