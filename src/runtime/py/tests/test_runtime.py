"""Tests of the carrera Python runtime. Every test runs real interpreters, with PYTHONPATH set to
the runtime directory exactly as the grader does, in a throw-away directory.

Run: cd src/runtime/py && python3 -m unittest discover -s tests -v
"""
import glob
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

RUNTIME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
TIMEOUT = 60


def base_env(profile=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and k != "CARRERA_PROFILE"}
    env.update(PYTHONPATH=RUNTIME, PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1",
               PYTHONUNBUFFERED="1", PYTHONHASHSEED="0")
    if profile is not None:
        env["CARRERA_PROFILE"] = json.dumps(profile)
    return env


def make_profile(cdir, **over):
    prof = {"trial": "test", "dir": cdir, "method": "fork", "noise": "none", "p": 0.0,
            "sleep_us": 200, "gate_ms": 0, "seed": 1234, "events_cap": 2000, "dump_signal": 10}
    prof.update(over)
    return prof


def read_traces(cdir):
    out = {}
    for path in glob.glob(os.path.join(cdir, "trace", "*.json")):
        with open(path) as f:
            data = json.load(f)
        out[data["pid"]] = data
    return out


class Trial(object):
    """One runner trial: a workspace with submission.py, a .carrera dir, spec.json."""

    def __init__(self, test, source, harness=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="carrera-rt-")
        test.addCleanup(self.tmp.cleanup)
        self.ws = os.path.join(self.tmp.name, "ws")
        os.makedirs(self.ws)
        with open(os.path.join(self.ws, "submission.py"), "w") as f:
            f.write(textwrap.dedent(source))
        self.harness = None
        if harness is not None:
            self.harness = os.path.join(self.tmp.name, "harness_t.py")
            with open(self.harness, "w") as f:
                f.write(textwrap.dedent(harness))
        self.n = 0

    def run(self, function, args=(), kwargs=None, mode="call", **profile):
        """Run the runner once, in a fresh .carrera dir; return (record, cdir, proc)."""
        self.n += 1
        cdir = os.path.join(self.ws, ".carrera-%d" % self.n)
        os.makedirs(cdir)
        spec = {"mode": mode, "module_dir": self.ws, "module": "submission",
                "function": function, "harness": self.harness,
                "case": {"id": "c", "args": list(args), "kwargs": kwargs or {}}}
        with open(os.path.join(cdir, "spec.json"), "w") as f:
            json.dump(spec, f)
        proc = subprocess.run(
            [PY, "-c", "import carrera_rt.runner as r; r.main()"], cwd=self.ws,
            env=base_env(make_profile(cdir, **profile)), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        path = os.path.join(cdir, "result.jsonl")
        lines = []
        if os.path.exists(path):
            with open(path) as f:
                lines = f.read().splitlines()
        assert len(lines) == 1, "want one record, got %r; stderr:\n%s" % (lines, proc.stderr)
        return json.loads(lines[0]), cdir, proc


COUNTER = """
import multiprocessing as mp

def _inc(v, n, locked):
    for _ in range(n):
        if locked:
            with v.get_lock():
                v.value += 1
        else:
            v.value += 1

def count(nproc, n, locked):
    v = mp.Value("i", 0)
    ps = [mp.Process(target=_inc, args=(v, n, locked)) for _ in range(nproc)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    return v.value
"""


class NoProfileTest(unittest.TestCase):
    PROBE = textwrap.dedent("""
        import faulthandler, json, sys
        import multiprocessing.synchronize as s
        print(json.dumps({
            "site": sys.modules["sitecustomize"].__file__,
            "rt": "carrera_rt" in sys.modules,
            "fh": faulthandler.is_enabled(),
            "enter": s.SemLock.__enter__.__module__,
            "make": s.SemLock._make_methods.__module__,
        }))
    """)

    def probe(self, profile_text):
        env = base_env()
        if profile_text is not None:
            env["CARRERA_PROFILE"] = profile_text
        proc = subprocess.run([PY, "-c", self.PROBE], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return json.loads(proc.stdout), proc.stderr

    def test_without_profile_nothing_is_installed(self):
        out, err = self.probe(None)
        self.assertEqual(os.path.dirname(out["site"]), RUNTIME)
        self.assertFalse(out["rt"])
        self.assertFalse(out["fh"])
        self.assertEqual(out["enter"], "multiprocessing.synchronize")
        self.assertEqual(err, "")

    def test_bad_profile_prints_one_line_and_installs_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            for text in ("not json", json.dumps({"dir": "relative/path"}),
                         json.dumps(make_profile(d, noise="loud")),
                         json.dumps(make_profile(d, dump_signal=9))):  # SIGKILL: not catchable
                out, err = self.probe(text)
                lines = err.splitlines()
                self.assertEqual(len(lines), 1, err)
                self.assertTrue(lines[0].startswith("carrera-runtime: failed to install: "))
                self.assertFalse(out["fh"])
                self.assertEqual(out["enter"], "multiprocessing.synchronize")
                self.assertEqual(out["make"], "multiprocessing.synchronize")

    def test_profile_installs_hooks(self):
        with tempfile.TemporaryDirectory() as d:
            out, err = self.probe(json.dumps(make_profile(d)))
            self.assertEqual(err, "")
            self.assertTrue(out["rt"] and out["fh"])
            self.assertEqual(out["enter"], "carrera_rt.hooks")


class CounterTest(unittest.TestCase):
    def check_children(self, rec, cdir, nproc, n):
        self.assertEqual(rec["kind"], "returned", rec)
        children = rec["children"]
        self.assertEqual(len(children), nproc)
        traces = read_traces(cdir)
        for c in children:
            self.assertEqual((c["joined"], c["alive"], c["exitcode"]), (True, False, 0), c)
            t = traces[c["pid"]]  # a trace file exists for each child
            self.assertEqual((t["role"], t["name"], t["error"]), ("child", c["name"], None))
            counts = t["counts"]
            self.assertGreater(counts["lock_acquire"], 0)
            self.assertEqual(counts["lock_acquire"], counts["lock_release"])
            self.assertEqual((counts["value_get"], counts["value_set"]), (n, n))
            # Every counted operation is an event, kept or dropped, except internals (the
            # Value's own lock inside each read and write).
            self.assertEqual(len(t["events"]) + t["events_dropped"] + t["events_internal"],
                             sum(counts.values()))
            self.assertLessEqual(t["t_start"], t["t_run_start"])
            self.assertLessEqual(t["t_run_start"], t["t_run_end"])
        mains = [t for t in traces.values() if t["role"] == "main"]
        self.assertEqual(len(mains), 1)
        return traces

    def test_locked_counter_is_exact_under_noise(self):
        trial = Trial(self, COUNTER)
        cases = [dict(method=m, noise="yield", p=1.0, gate_ms=20)
                 for m in ("fork", "spawn", "forkserver")]
        cases.append(dict(method="fork", noise="sleep", p=0.5, sleep_us=200, gate_ms=20,
                          events_cap=100))
        for prof in cases:
            with self.subTest(**prof):
                rec, cdir, _ = trial.run("count", (4, 200, True), **prof)
                self.assertEqual(rec.get("value"), {"result": 800}, rec)
                traces = self.check_children(rec, cdir, 4, 200)
                for c in rec["children"]:
                    t = traces[c["pid"]]
                    self.assertEqual(t["method"], prof["method"])
                    evented = sum(t["counts"].values()) - t["events_internal"]
                    self.assertEqual(len(t["events"]), min(prof.get("events_cap", 2000), evented))

    def test_unlocked_counter_loses_updates(self):
        trial = Trial(self, COUNTER)
        totals = []
        for seed in range(10):
            rec, cdir, _ = trial.run("count", (2, 200, False), method="fork", noise="yield",
                                     p=1.0, gate_ms=20, seed=seed)
            self.check_children(rec, cdir, 2, 200)
            totals.append(rec["value"]["result"])
        lost = sum(1 for t in totals if t < 400)
        self.assertGreaterEqual(lost, 9, totals)


class StartMethodTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp

    MARK = "import"

    def _report(q):
        q.put((mp.get_start_method(), MARK))

    def run():
        global MARK
        mp.set_start_method("spawn")
        mp.context._default_context.set_start_method("forkserver", force=True)
        MARK = "parent"  # a fork child sees it, a spawn/forkserver child re-imports
        q = mp.Queue()
        p = mp.Process(target=_report, args=(q,))
        p.start()
        child = q.get()
        p.join()
        return {"parent": mp.get_start_method(), "child": list(child)}
    """

    def test_student_set_start_method_is_recorded_and_ignored(self):
        trial = Trial(self, self.SOURCE)
        for method, mark in (("fork", "parent"), ("spawn", "import")):
            with self.subTest(method=method):
                rec, cdir, _ = trial.run("run", method=method)
                self.assertEqual(rec["kind"], "returned", rec)
                self.assertEqual(rec["value"]["result"],
                                 {"parent": method, "child": [method, mark]})
                traces = read_traces(cdir)
                main = [t for t in traces.values() if t["role"] == "main"][0]
                self.assertEqual(main["start_method_requests"], ["spawn", "forkserver"])
                child = traces[rec["children"][0]["pid"]]
                # spawn.prepare() re-applies the method in the child: not a student request.
                self.assertEqual(child["start_method_requests"], [])


class DumpTest(unittest.TestCase):
    SCRIPT = textwrap.dedent("""\
        import multiprocessing as mp
        import sys

        def worker(lock, ready):
            ready.set()
            lock.acquire()  # BLOCKED HERE
            lock.release()

        if __name__ == "__main__":
            lock, ready = mp.Lock(), mp.Event()
            lock.acquire()
            p = mp.Process(target=worker, args=(lock, ready))
            p.start()
            ready.wait()
            print(p.pid, flush=True)
            sys.stdin.readline()
            lock.release()
            p.join()
            print(p.exitcode, flush=True)
        """)

    def test_signal_dumps_stacks_of_blocked_child(self):
        line = [i for i, l in enumerate(self.SCRIPT.splitlines(), 1) if "BLOCKED" in l][0]
        for method in ("fork", "spawn"):
            with self.subTest(method=method), tempfile.TemporaryDirectory() as d:
                script = os.path.join(d, "student.py")
                with open(script, "w") as f:
                    f.write(self.SCRIPT)
                cdir = os.path.join(d, ".carrera")
                proc = subprocess.Popen([PY, script], cwd=d, env=base_env(make_profile(
                    cdir, method=method, noise="yield", p=0.5)), stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, universal_newlines=True)
                try:
                    pid = int(proc.stdout.readline())
                    dump = os.path.join(cdir, "dumps", "%d.txt" % pid)
                    want = 'File "%s", line %d in worker' % (script, line)
                    text, deadline = "", time.time() + 20
                    while want not in text and time.time() < deadline:
                        os.kill(pid, signal.SIGUSR1)  # again, in case it was not blocked yet
                        time.sleep(0.2)
                        with open(dump) as f:
                            text = f.read()
                    self.assertIn(want, text)
                    out, _ = proc.communicate("go\n", timeout=TIMEOUT)
                    self.assertEqual(out.strip(), "0")  # the dump did not disturb the child
                finally:
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()


class RunnerTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp
    import time

    def _ok():
        pass

    def _sleep():
        time.sleep(30)

    def _fail():
        raise KeyError("in child")

    def returns(n):
        a = mp.Process(target=_ok)
        b = mp.Process(target=_sleep, daemon=True)  # never joined; killed at exit (daemon)
        c = mp.Process(target=_fail)
        for p in (a, b, c):
            p.start()
        a.join()
        c.join()
        return {"n": n, "set": {1}, "nan": float("nan"), 3: (1, 2)}

    def raises(x):
        a = mp.Process(target=_ok)
        a.start()
        a.join()
        return helper(x)

    def helper(x):
        return 1 / x
    """

    def test_import_mode(self):
        trial = Trial(self, self.SOURCE)
        rec, cdir, proc = trial.run("returns", mode="import")
        self.assertEqual(rec, {"kind": "imported"})
        self.assertIn("main", [t["role"] for t in read_traces(cdir).values()])
        rec, _, _ = trial.run("nope", mode="import")
        self.assertEqual(rec, {"kind": "missing_function", "function": "nope"})
        rec, _, _ = trial.run("nope", mode="call")
        self.assertEqual(rec, {"kind": "missing_function", "function": "nope"})

    def test_import_errors(self):
        for source, etype, line in (("x = 1\nraise RuntimeError('boom')\n", "RuntimeError", 2),
                                    ("def f(:\n    pass\n", "SyntaxError", 1)):
            with self.subTest(etype=etype):
                rec, _, _ = Trial(self, source).run("f", mode="import")
                self.assertEqual(rec["kind"], "import_error")
                self.assertEqual(rec["error"]["type"], etype)
                last = rec["error"]["frames"][-1]
                self.assertTrue(last["file"].endswith("submission.py"), last)
                self.assertEqual(last["line"], line)

    def test_raised_with_frames(self):
        trial = Trial(self, self.SOURCE)
        rec, cdir, _ = trial.run("raises", (0,))
        self.assertEqual(rec["kind"], "raised", rec)
        err = rec["error"]
        self.assertEqual((err["type"], err["message"]), ("ZeroDivisionError", "division by zero"))
        self.assertEqual([f["function"] for f in err["frames"]], ["raises", "helper"])
        self.assertEqual(err["frames"][-1]["text"], "return 1 / x")
        self.assertTrue(all(f["file"].endswith("submission.py") for f in err["frames"]))
        self.assertGreaterEqual(rec["elapsed_s"], 0)
        self.assertEqual([(c["joined"], c["exitcode"]) for c in rec["children"]], [(True, 0)])
        main = [t for t in read_traces(cdir).values() if t["role"] == "main"][0]
        self.assertEqual(main["error"]["type"], "ZeroDivisionError")

    def test_returned_with_children(self):
        trial = Trial(self, self.SOURCE)
        rec, cdir, proc = trial.run("returns", (7,), noise="yield", p=0.5)
        self.assertEqual(rec["kind"], "returned", rec)
        self.assertEqual(rec["value"], {"result": {
            "n": 7, "set": {"__repr__": "{1}"}, "nan": {"__repr__": "nan"}, "3": [1, 2]}})
        a, b, c = rec["children"]
        self.assertEqual((a["joined"], a["alive"], a["exitcode"]), (True, False, 0))
        self.assertEqual((b["joined"], b["alive"], b["exitcode"]), (False, True, None))
        self.assertEqual((c["joined"], c["alive"], c["exitcode"]), (True, False, 1))
        self.assertEqual([x["name"] for x in (a, b, c)], ["Process-1", "Process-2", "Process-3"])
        err = read_traces(cdir)[c["pid"]]["error"]
        self.assertEqual((err["type"], err["frames"][-1]["function"]), ("KeyError", "_fail"))
        self.assertIn("KeyError: 'in child'", proc.stderr)  # multiprocessing still prints it

    def test_harness(self):
        harness = """
        def run(fn, *args, **kwargs):
            return {"twice": [fn(*args, **kwargs), fn(*args, **kwargs)], "obj": object}
        """
        trial = Trial(self, "def f(a, b=0):\n    return a + b\n", harness=harness)
        rec, _, _ = trial.run("f", (1,), {"b": 2})
        self.assertEqual(rec["value"], {"twice": [3, 3],
                                        "obj": {"__repr__": "<class 'object'>"}})


def _repr_of(o):
    try:
        return {"__repr__": repr(o)[:200]}
    except Exception:
        return {"__repr__": "<unrepresentable>"}


def _jsonable(o, depth=0):
    """The reference: a JSON-safe copy of o: unknown objects (and NaN/inf, huge ints, cycles, deep nesting,
    which json would reject or emit as invalid JSON) become {"__repr__": repr(o)[:200]}."""
    if o is None or isinstance(o, (bool, str)):
        return o
    if isinstance(o, int):  # huge ints exceed Python's int-to-str limit (and any JSON reader)
        return o if o.bit_length() <= 4000 else _repr_of(o)
    if isinstance(o, float):
        return o if math.isfinite(o) else _repr_of(o)
    if depth >= 64:
        return _repr_of(o)
    if isinstance(o, (list, tuple)):
        return [_jsonable(x, depth + 1) for x in o]
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if not isinstance(k, str):
                k = json.dumps(k) if k is None or isinstance(k, (bool, int, float)) else repr(k)
            out[k] = _jsonable(v, depth + 1)
        return out
    return _repr_of(o)



class RecordEncoderTest(unittest.TestCase):
    """The record writer is built before the submission is imported and writes what
    json.dumps(_jsonable(o)) would (the reference below), whatever the submission patches afterwards."""

    def test_same_text_as_json(self):
        sys.path.insert(0, RUNTIME)
        try:
            from carrera_rt import runner
        finally:
            sys.path.remove(RUNTIME)
        enc = runner._make_encoder()
        for o in [None, True, 3, -2.5, "ñ\"x\n", [1, (2, 3)], {"a": {1: None, None: 2.0}},
                  {"kind": "returned", "value": {"result": 40000}, "children": [1, 2]},
                  float("nan"), {1, 2}, 2 ** 5000, [[[1]]]]:
            self.assertEqual(json.loads(enc(o)), json.loads(json.dumps(_jsonable(o))), o)

    def test_patching_after_import_changes_nothing(self):
        source = """
        import json
        import carrera_rt.runner as runner

        def _forge(o):
            return {"kind": "returned", "value": {"result": 42}} if isinstance(o, dict) else o
        json.dumps = lambda o, *a, **k: '{"kind": "returned", "value": {"result": 42}}'
        _encode = json.JSONEncoder.encode
        json.JSONEncoder.encode = lambda self, o: _encode(self, _forge(o))
        runner._jsonable = lambda o, depth=0: 42
        runner._record_writer = lambda *a, **k: (lambda record: None)
        runner._make_encoder = lambda *a, **k: (lambda o: "{}")

        def f():
            return 7
        """
        rec, _, _ = Trial(self, source).run("f")
        self.assertEqual(rec["kind"], "returned")
        self.assertEqual(rec["value"], {"result": 7})


class SpeedupModeTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp
    import os

    def _noop():
        pass

    def total(values, marker):
        open(marker, "w").close()  # proves when the call happened
        p = mp.Process(target=_noop)
        p.start()
        p.join()
        return {"sum": sum(values), "method": mp.get_start_method(),
                "lock_type": type(mp.Lock().acquire).__name__}
    """
    HARNESS = """
    def run(fn, *args):
        raise AssertionError("the timed call goes around run()")

    def speedup_args(n, marker):
        return (list(range(n)), marker), {}
    """

    def _timed(self, instrument):
        """Runs one speedup-mode call; returns (result, cdir) after checking the gate held."""
        trial = Trial(self, self.SOURCE, harness=self.HARNESS)
        cdir = os.path.join(trial.ws, ".carrera-speedup")
        os.makedirs(cdir)
        marker = os.path.join(trial.tmp.name, "called")
        spec = {"mode": "speedup", "module_dir": trial.ws, "module": "submission",
                "function": "total", "harness": trial.harness,
                "case": {"id": "c", "args": [1000, marker], "kwargs": {}}}
        with open(os.path.join(cdir, "spec.json"), "w") as f:
            json.dump(spec, f)
        env = base_env(make_profile(cdir, method="spawn", instrument=instrument))
        proc = subprocess.Popen([PY, "-c", "import carrera_rt.runner as r; r.main()"],
                                cwd=trial.ws, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(proc.kill)
        deadline = time.time() + TIMEOUT
        while not os.path.exists(os.path.join(cdir, "ready")):
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() else "")
            self.assertLess(time.time(), deadline)
            time.sleep(0.01)
        time.sleep(0.2)
        self.assertFalse(os.path.exists(marker), "called before the go byte")
        _, err = proc.communicate(b"g", timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)
        self.assertTrue(os.path.exists(marker))
        with open(os.path.join(cdir, "result.jsonl")) as f:
            rec = json.loads(f.read())
        self.assertEqual(rec["kind"], "returned", rec)
        return rec["value"]["result"], cdir

    def test_the_call_waits_for_the_go_byte_and_runs_bare(self):
        result, cdir = self._timed(instrument=False)
        self.assertEqual((result["sum"], result["method"]), (sum(range(1000)), "spawn"))
        # Not instrumented: multiprocessing's own lock methods, and no trace files.
        self.assertEqual(result["lock_type"], "builtin_function_or_method")
        self.assertEqual(glob.glob(os.path.join(cdir, "trace", "*.json")), [])

    def test_instrumented_calls_wrap_locks(self):
        # The contrast that gives the test above its meaning.
        result, cdir = self._timed(instrument=True)
        self.assertEqual(result["lock_type"], "function")
        self.assertNotEqual(glob.glob(os.path.join(cdir, "trace", "*.json")), [])


class MessagingTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp

    def _produce(q, k, n):
        for i in range(n):
            q.put((k, i))

    def _pipe(conn, n):
        for i in range(n):
            conn.send(i)
        conn.send_bytes(b"end")
        conn.close()

    def exchange(nprod, n):
        q = mp.Queue()
        ps = [mp.Process(target=_produce, args=(q, k, n)) for k in range(nprod)]
        for p in ps:
            p.start()
        got = sorted(tuple(q.get()) for _ in range(nprod * n))
        for p in ps:
            p.join()
        a, b = mp.Pipe()
        p = mp.Process(target=_pipe, args=(b, n))
        p.start()
        recv = [a.recv() for _ in range(n)]
        end = a.recv_bytes()
        p.join()
        want = sorted((k, i) for k in range(nprod) for i in range(n))
        return {"queue": got == want, "pipe": recv == list(range(n)) and end == b"end"}
    """

    def test_queue_and_pipe_deliver_everything(self):
        trial = Trial(self, self.SOURCE)
        for prof in (dict(method="fork", noise="yield", p=1.0, gate_ms=20),
                     dict(method="fork", noise="sleep", p=0.3, sleep_us=300),
                     dict(method="spawn", noise="yield", p=1.0)):
            with self.subTest(**prof):
                rec, cdir, _ = trial.run("exchange", (3, 100), **prof)
                self.assertEqual(rec.get("value"), {"result": {"queue": True, "pipe": True}},
                                 rec)
                traces = read_traces(cdir)
                kids = [traces[c["pid"]]["counts"] for c in rec["children"]]
                self.assertEqual([k["queue_put"] for k in kids[:3]], [100] * 3)
                self.assertEqual(kids[3]["send"], 101)
                main = [t for t in traces.values() if t["role"] == "main"][0]["counts"]
                self.assertEqual((main["queue_get"], main["recv"]), (300, 401))



class SemaphoreListTest(unittest.TestCase):
    def test_named_semaphores_are_listed_for_the_grader(self):
        # Under spawn a Value's lock is a named semaphore in /dev/shm; the grader must learn
        # its name to unlink it if the tree is killed.
        trial = Trial(self, COUNTER)
        rec, cdir, _ = trial.run("count", (2, 10, True), method="spawn")
        self.assertEqual(rec.get("value"), {"result": 20}, rec)
        with open(os.path.join(cdir, "semaphores.txt")) as f:
            names = set(f.read().split())
        self.assertTrue(names, "no semaphore listed")
        self.assertTrue(all(n.lstrip("/").startswith("mp-") for n in names), names)



class CpuTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp, time

    def _spin(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    def spin(seconds):
        p = mp.Process(target=_spin, args=(seconds,))
        p.start()
        p.join()
        return p.pid
    """

    def test_trace_reports_each_process_cpu(self):
        trial = Trial(self, self.SOURCE)
        rec, cdir, _ = trial.run("spin", (0.4,))
        traces = read_traces(cdir)
        child = traces[rec["value"]["result"]]
        main = [t for t in traces.values() if t["role"] == "main"][0]
        self.assertGreaterEqual(child["cpu_s"], 0.4)
        # The parent only waited: its CPU is its own start-up, not the child's work.
        self.assertLess(main["cpu_s"], child["cpu_s"])



class HarnessEventTest(unittest.TestCase):
    def test_harness_records_its_own_event_kinds_in_children(self):
        harness = """
        from carrera_rt import trace

        def task(i):
            trace.record("task", str(i))

        def run(fn, n):
            return {"result": fn(task, n)}
        """
        source = """
        import multiprocessing as mp

        def go(task, n):
            ps = [mp.Process(target=task, args=(i,)) for i in range(n)]
            for p in ps:
                p.start()
            for p in ps:
                p.join()
            return [p.pid for p in ps]
        """
        trial = Trial(self, source, harness=harness)
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                rec, cdir, _ = trial.run("go", (3,), method=method)
                traces = read_traces(cdir)
                for i, pid in enumerate(rec["value"]["result"]):
                    self.assertEqual(traces[pid]["counts"].get("task"), 1)
                    self.assertEqual([e[1:] for e in traces[pid]["events"]], [["task", str(i)]])



if __name__ == "__main__":
    unittest.main()
