"""Trusted judge host: runs an exercise's judge.py in a process of its own.

It never shares a process with student code. Once the judge is loaded it writes one line,
{"events": bool} (False when judge.py sets `EVENTS = False`: carrera then leaves trace events
out of the observations) or {"error": "..."}. Then it reads one JSON request per line on stdin
and answers one JSON line on stdout: {"problems": [...]} or {"error": "..."}.
"""
import importlib.util
import json
import sys
import traceback


def load(path):
    spec = importlib.util.spec_from_file_location("carrera_exercise_judge", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    out = sys.stdout
    try:
        judge = load(sys.argv[1])
        hello = {"events": bool(getattr(judge, "EVENTS", True))}
    except Exception:
        hello = {"error": traceback.format_exc(limit=5)}
    out.write(json.dumps(hello) + "\n")
    out.flush()
    if "error" in hello:
        return
    for line in sys.stdin:
        try:
            req = json.loads(line)
            problems = judge.check(req["case"], req["expected"], req["observation"]) or []
            for p in problems:
                if not isinstance(p, dict) or "verdict" not in p:
                    raise TypeError("judge.check must return a list of dicts with a 'verdict'")
            reply = {"problems": problems}
        except Exception:
            reply = {"error": traceback.format_exc(limit=5)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
