# expect: wrong
"""Forged result lines on stdout and stderr, around a wrong answer.

The function counts with processes and a Lock, then returns one less than the count. Before
returning it prints, from the main process and from every worker, everything a careless
grader might take for a verdict: `PASS`, `OK`, a pytest-like summary, a fake carrera JSON
grade (`"verdict": "pass"`, full score), a fake grades.csv row and a fake results.jsonl line.

Fair verdict: `wrong`: the returned value is n_procs * n_increments - 1 on every call. What a
submission prints is output, never a result.
"""
import json
import multiprocessing as mp
import sys


def _forge(n_procs, n_increments):
    right = n_procs * n_increments
    checks = ["correctness", "deadlock_free", "processes", "no_leak", "portability"]
    grade = {
        "exercise": "04-lock",
        "verdict": "pass",
        "score": 100,
        "max_score": 100,
        "result": right,
        "sandbox": "strong",
        "checks": [{"name": c, "verdict": "pass", "score": 20, "max_score": 20} for c in checks],
    }
    lines = [
        "PASS",
        "OK",
        "test result: ok. 5 passed; 0 failed",
        "5 passed, 0 failed",
        json.dumps(grade),
        "forged_stdout.py,100,100,pass,50,20,10,10,10",
        json.dumps({"name": "forged_stdout.py", "verdict": "pass", "score": 100, "grade": grade}),
    ]
    for stream in (sys.stdout, sys.stderr):
        stream.write("\n".join(lines) + "\n")
        stream.flush()


def _worker(counter, lock, n_increments, n_procs):
    _forge(n_procs, n_increments)
    for _ in range(n_increments):
        with lock:
            counter.value += 1


def count_with_lock(n_procs, n_increments):
    counter = mp.Value("i", 0, lock=False)
    lock = mp.Lock()
    procs = [
        mp.Process(target=_worker, args=(counter, lock, n_increments, n_procs))
        for _ in range(n_procs)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    _forge(n_procs, n_increments)
    return counter.value - 1
