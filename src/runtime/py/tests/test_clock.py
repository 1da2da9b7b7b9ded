"""Tests of time dilation (carrera_rt/clock.py, profile field "dilation"): real interpreters with
the runtime on PYTHONPATH, as the grader runs them.

Run: cd src/runtime/py && python3 -m unittest discover -s tests -v
"""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from test_runtime import PY, RUNTIME, TIMEOUT, Trial, base_env, make_profile, read_traces

sys.path.insert(0, RUNTIME)
from carrera_rt import config  # noqa: E402  (parsing only: nothing is installed here)

K = 20


def run_script(test, source, dilation=None, method="fork", **profile):
    """Run source as a script with a profile; return (its last stdout line as JSON, real
    seconds the process took, the epoch used)."""
    tmp = tempfile.TemporaryDirectory(prefix="carrera-clock-")
    test.addCleanup(tmp.cleanup)
    path = os.path.join(tmp.name, "prog.py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    cdir = os.path.join(tmp.name, ".carrera")
    os.makedirs(cdir)
    epoch = time.time()
    if dilation is not None:
        profile["dilation"] = {"k": dilation, "epoch": epoch}
    t0 = time.time()
    proc = subprocess.run([PY, path], cwd=tmp.name, env=base_env(make_profile(
        cdir, method=method, **profile)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=TIMEOUT)
    real = time.time() - t0
    test.assertEqual(proc.returncode, 0, proc.stderr)
    test.assertEqual(proc.stderr, "")
    return json.loads(proc.stdout.splitlines()[-1]), real, epoch


class ConfigTest(unittest.TestCase):
    def parse(self, dilation):
        return config.parse(json.dumps({"dir": "/tmp/x", "dilation": dilation})).dilation

    def test_valid(self):
        self.assertIsNone(config.parse(json.dumps({"dir": "/tmp/x"})).dilation)
        self.assertIsNone(self.parse(None))
        self.assertEqual(self.parse({"k": 20, "epoch": 1.7e9}), (20, 1.7e9))
        self.assertEqual(self.parse({"k": 20.0, "epoch": 1.7e9}), (20, 1.7e9))
        self.assertEqual(self.parse({"k": 1.5, "epoch": 5}), (1.5, 5.0))

    def test_bad_values_refuse_the_profile(self):
        for bad in (20, "20", [], {}, {"k": 20}, {"epoch": 1.7e9}, {"k": 0.5, "epoch": 1.7e9},
                    {"k": True, "epoch": 1.7e9}, {"k": "20", "epoch": 1.7e9},
                    {"k": 5000, "epoch": 1.7e9}, {"k": 20, "epoch": 0},
                    {"k": 20, "epoch": 1.7e12},  # milliseconds
                    {"k": 20, "epoch": 1.7e9, "K": 3}):
            with self.subTest(dilation=bad):
                with self.assertRaisesRegex(ValueError, "dilation"):
                    self.parse(bad)
        for text in ('{"dir": "/tmp/x", "dilation": {"k": NaN, "epoch": 1}}',
                     '{"dir": "/tmp/x", "dilation": {"k": 20, "epoch": Infinity}}'):
            with self.assertRaisesRegex(ValueError, "dilation"):
                config.parse(text)


class InstallTest(unittest.TestCase):
    PROBE = """
        import datetime, _datetime, json, sys, time
        print(json.dumps({
            "sleep": type(time.sleep).__name__, "time": type(time.time).__name__,
            "datetime": datetime.datetime is _datetime.datetime,
            "date": datetime.date is _datetime.date,
            "clock": "carrera_rt.clock" in sys.modules
                     and sys.modules["carrera_rt.clock"].active(),
        }))
    """

    def test_without_dilation_nothing_is_patched(self):
        for instrument in (True, False):
            out, _, _ = run_script(self, self.PROBE, instrument=instrument)
            self.assertEqual(out, {"sleep": "builtin_function_or_method",
                                   "time": "builtin_function_or_method",
                                   "datetime": True, "date": True, "clock": False})

    def test_bad_dilation_installs_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            env = base_env(make_profile(d, dilation={"k": 0, "epoch": time.time()}))
            proc = subprocess.run([PY, "-c", textwrap.dedent(self.PROBE)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True, timeout=TIMEOUT)
        self.assertIn("carrera-runtime: failed to install: ValueError(\"profile field "
                      "'dilation.k'", proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["sleep"], "builtin_function_or_method")
        self.assertTrue(json.loads(proc.stdout)["datetime"])


class SleepTest(unittest.TestCase):
    SOURCE = """
        import datetime, json, time
        from carrera_rt import clock

        def now():
            return (clock.real_time(), time.time(), time.time_ns(), time.monotonic(),
                    time.perf_counter(), time.monotonic_ns(), datetime.datetime.now())

        r0, v0, ns0, m0, p0, mns0, d0 = now()
        stamps = []
        for _ in range(10):
            time.sleep(1)
            stamps.append(datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S"))
        r1, v1, ns1, m1, p1, mns1, d1 = now()
        print(json.dumps({
            "real": r1 - r0, "time": v1 - v0, "time_ns": (ns1 - ns0) / 1e9,
            "mono": m1 - m0, "perf": p1 - p0, "mono_ns": (mns1 - mns0) / 1e9,
            "dt": (d1 - d0).total_seconds(), "r0": r0, "v0": v0, "stamps": stamps,
            "local": time.mktime(time.localtime()) - time.time(),
            "strftime": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "patched": type(time.sleep).__name__}))
    """

    def test_ten_sleeps_of_one_second_take_half_a_second(self):
        # Without instrumentation: a whole program's run gets the clock alone.
        out, real, epoch = run_script(self, self.SOURCE, dilation=K, instrument=False)
        self.assertEqual(out["patched"], "function")
        self.assertGreaterEqual(out["real"], 10.0 / K)
        self.assertLess(out["real"], 1.5)
        self.assertLess(real, 3.0)
        for key in ("time", "time_ns", "mono", "perf", "mono_ns", "dt"):
            with self.subTest(clock=key):
                self.assertGreaterEqual(out[key], 10.0 - 1e-3)
                # The same span read on the real clock, times K (the reads are microseconds
                # apart, unless the process is preempted between them on a loaded machine).
                self.assertAlmostEqual(out[key], out["real"] * K, delta=0.05 * K)
        self.assertAlmostEqual(out["v0"], epoch + (out["r0"] - epoch) * K, delta=0.05 * K)
        stamps = out["stamps"]
        self.assertEqual(len(set(stamps)), 10, stamps)
        self.assertEqual(stamps, sorted(stamps))
        self.assertLess(abs(out["local"]), 1.0)  # localtime() is the virtual now
        self.assertGreaterEqual(out["strftime"], stamps[-1])


class DatetimeTest(unittest.TestCase):
    """The stand-in classes, installed by hand in a process without a profile, after modules
    that hold the original classes."""
    SOURCE = """
        import copy, json, pickle, sys, time, warnings
        import datetime as D
        from datetime import datetime as EarlyDatetime, timedelta, timezone
        early = D.datetime(2025, 1, 1, 12, 30)
        early_date = D.date(2025, 1, 1)
        sys.path.insert(0, sys.argv[1])
        from carrera_rt import clock
        out = {}
        clock.install(20, time.time())
        import datetime
        from datetime import datetime as DT, date
        out["early_import_covered"] = EarlyDatetime is DT
        out["isinstance"] = [isinstance(early, DT), isinstance(early, date),
                             isinstance(early_date, date), isinstance(DT.now(), DT),
                             isinstance(DT.now(), date), isinstance(date.today(), date),
                             issubclass(type(early), DT), issubclass(DT, date)]
        new = DT(2025, 1, 1)
        out["types"] = [type(x) is DT for x in (
            new, DT.now(), DT.now(timezone.utc), DT.today(), DT.utcfromtimestamp(0),
            DT.fromtimestamp(0), DT.fromtimestamp(0, timezone.utc), new + timedelta(1),
            new - timedelta(1), new.replace(year=2000), DT.fromisoformat("2020-01-01"),
            DT.strptime("2020", "%Y"), DT.combine(date(2020, 1, 1), D.time(1)),
            DT.min, DT.max)] + [type(x) is date for x in (
            date.today(), new.date(), date(2020, 1, 1) + timedelta(1), date.min)]
        out["text"] = [repr(new), repr(date(2025, 1, 2)), str(new + timedelta(hours=1)),
                       new.strftime("%Y-%m-%dT%H:%M:%S"), new.isoformat(),
                       DT.fromtimestamp(86400, timezone.utc).isoformat(),
                       (new - early).total_seconds(), new == early.replace(hour=0, minute=0),
                       repr(DT.now(timezone.utc).tzinfo)]
        # Pickling: the stand-in, and the original class's instances, go as datetime.datetime.
        out["pickle"] = [pickle.loads(pickle.dumps(x, p)) == x and
                         type(pickle.loads(pickle.dumps(x, p))) in (DT, date)
                         for x in (new, early, early_date, early + timedelta(1), DT.now())
                         for p in (2, pickle.HIGHEST_PROTOCOL)]
        out["copy"] = copy.deepcopy(early) == early and copy.copy(new) == new
        n1 = DT.now()
        time.sleep(1)
        n2 = DT.now()
        out["now_step"] = (n2 - n1).total_seconds()
        time.sleep(5)  # virtual time is now seconds ahead of real time
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            u = DT.utcnow()
        out["utcnow_offset"] = (DT.now(timezone.utc).replace(tzinfo=None) - u).total_seconds()
        out["utcnow_warnings"] = [(x.category.__name__, x.filename == __file__) for x in w]
        # time.sleep checks its argument like the original (it is the one that raises).
        errors = []
        for bad in ("x", -1, float("nan"), None, 10 ** 400):
            try:
                time.sleep(bad)
                errors.append(None)
            except Exception as e:
                errors.append(type(e).__name__)
        out["sleep_errors"] = errors
        out["sleep_pickles"] = pickle.loads(pickle.dumps(time.sleep)) is time.sleep
        clock.uninstall()
        out["uninstalled"] = [datetime.datetime is sys.modules["_datetime"].datetime,
                              EarlyDatetime is datetime.datetime,
                              type(time.sleep).__name__ == "builtin_function_or_method"]
        print(json.dumps(out))
    """

    def test_datetime_stand_ins(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        path = os.path.join(tmp.name, "dt.py")
        with open(path, "w") as f:
            f.write(textwrap.dedent(self.SOURCE))
        proc = subprocess.run([PY, path, RUNTIME], env=base_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout)
        self.assertTrue(out["early_import_covered"])
        self.assertEqual(out["isinstance"], [True] * 8)
        self.assertEqual(out["types"], [True] * 19)
        self.assertEqual(out["text"], [
            "datetime.datetime(2025, 1, 1, 0, 0)", "datetime.date(2025, 1, 2)",
            "2025-01-01 01:00:00", "2025-01-01T00:00:00", "2025-01-01T00:00:00",
            "1970-01-02T00:00:00+00:00", -45000.0, True, "datetime.timezone.utc"])
        self.assertEqual(out["pickle"], [True] * 10)
        self.assertTrue(out["copy"])
        self.assertGreaterEqual(out["now_step"], 1.0)
        self.assertLess(out["now_step"], 1.0 + 0.25 * K)
        self.assertGreaterEqual(out["utcnow_offset"], 0.0)
        self.assertLess(out["utcnow_offset"], 1.0)
        # Like the original from 3.12 on, blaming the caller's line.
        self.assertEqual(out["utcnow_warnings"], [["DeprecationWarning", True]]
                         if sys.version_info >= (3, 12) else [])
        self.assertEqual(out["sleep_errors"], ["TypeError", "ValueError", "ValueError",
                                               "TypeError", "OverflowError"])
        self.assertTrue(out["sleep_pickles"])
        self.assertEqual(out["uninstalled"], [True, True, True])


class CrossProcessTest(unittest.TestCase):
    """One virtual clock in the parent and in fork, spawn and forkserver children."""
    SOURCE = """
        import datetime, json, multiprocessing as mp, time, _datetime

        def stamps():
            return [time.time(), time.monotonic(), time.perf_counter(),
                    datetime.datetime.now().timestamp()]

        def increasing(read, n=20000):
            last = read()
            for _ in range(n):
                now = read()
                if now < last:
                    return False
                last = now
            return True

        def child(conn):
            a = stamps()
            time.sleep(1)
            b = stamps()
            x, orig = conn.recv()
            mono_ok = all(increasing(f) for f in (time.monotonic, time.perf_counter,
                                                   time.monotonic_ns, time.time))
            conn.send({"a": a, "b": b, "mono_ok": mono_ok,
                       "got": [type(x) is datetime.datetime, type(orig) is datetime.datetime,
                               isinstance(orig, datetime.datetime)],
                       "back": x + datetime.timedelta(days=1), "now": datetime.datetime.now()})

        if __name__ == "__main__":
            out = {}
            for method in ("fork", "spawn", "forkserver"):
                ctx = mp.get_context(method)
                mine, theirs = ctx.Pipe()
                before = stamps()
                sent = datetime.datetime.now()
                p = ctx.Process(target=child, args=(theirs,))
                p.start()
                mine.send((sent, _datetime.datetime(2025, 1, 1)))
                res = mine.recv()
                p.join()
                after = stamps()
                res["back_ok"] = (type(res["back"]) is datetime.datetime
                                  and res["back"] == sent + datetime.timedelta(days=1))
                res["now_ok"] = sent <= res["now"] <= datetime.datetime.now()
                del res["back"], res["now"]
                res["before"], res["after"] = before, after
                out[method] = res
            out["parent_mono_ok"] = all(increasing(f) for f in (time.monotonic,
                                                                time.perf_counter))
            print(json.dumps(out))
    """

    def test_parent_and_children_share_one_clock(self):
        out, real, _ = run_script(self, self.SOURCE, dilation=K)
        self.assertTrue(out["parent_mono_ok"])
        for method in ("fork", "spawn", "forkserver"):
            res = out[method]
            with self.subTest(method=method):
                self.assertTrue(res["mono_ok"])
                self.assertEqual(res["got"], [True, True, True])
                self.assertTrue(res["back_ok"])
                self.assertTrue(res["now_ok"])
                # time, monotonic, perf_counter, datetime: the child's readings fall between
                # the parent's, and its one-second sleep is one virtual second.
                for i in range(4):
                    self.assertLess(res["before"][i], res["a"][i])
                    self.assertLess(res["a"][i], res["b"][i])
                    self.assertLess(res["b"][i], res["after"][i])
                    self.assertGreaterEqual(res["b"][i] - res["a"][i], 1.0)
                    # An unscaled sleep would take K virtual seconds.
                    self.assertLess(res["b"][i] - res["a"][i], 1.0 + 0.25 * K)
        self.assertLess(real, 10.0)


class TraceTimesTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp, time

    def _work(lock):
        with lock:
            time.sleep(1)

    def go():
        lock = mp.Lock()
        p = mp.Process(target=_work, args=(lock,))
        p.start()
        p.join()
        with lock:
            pass
        return time.time()
    """

    def test_runtime_times_stay_real(self):
        trial = Trial(self, self.SOURCE)
        lo = time.time()
        # The runner's profile gets an epoch a little before it starts, as the grader's.
        rec, cdir, _ = trial.run("go", dilation={"k": K, "epoch": lo})
        hi = time.time()
        self.assertEqual(rec["kind"], "returned", rec)
        self.assertGreater(rec["value"]["result"], hi)  # the program's time ran ahead
        self.assertLess(rec["elapsed_s"], 1.0)  # elapsed_s is real: the sleep took 1/K s
        traces = read_traces(cdir)
        self.assertEqual(len(traces), 2)
        times = []
        for tr in traces.values():
            times += [tr["t_start"], tr["t_run_start"], tr["t_run_end"]]
            times += [e[0] for e in tr["events"]]
        self.assertGreater(len(times), 10)
        for t in times:
            self.assertTrue(lo <= t <= hi, (lo, t, hi))


class Tp1DemoTest(unittest.TestCase):
    """TP1's shape: a generator makes one sample per second for 60 s and sends it through a
    Pipe to an analyzer (spawn) that timestamps it; at K=20 the minute takes 3 s."""
    SOURCE = """
        import datetime, json, multiprocessing as mp, random, time

        FMT = "%Y-%m-%dT%H:%M:%S"

        def analyzer(conn):
            conn.send("ready")
            got = []
            while True:
                sample = conn.recv()
                if sample is None:
                    break
                got.append([sample["timestamp"], datetime.datetime.now().strftime(FMT)])
            conn.send(got)
            conn.close()

        if __name__ == "__main__":
            t0 = time.perf_counter()
            mine, theirs = mp.Pipe()
            p = mp.Process(target=analyzer, args=(theirs,))
            p.start()
            assert mine.recv() == "ready"
            for _ in range(60):
                mine.send({"timestamp": datetime.datetime.now().strftime(FMT),
                           "frecuencia": random.randint(60, 180)})
                time.sleep(1)
            mine.send(None)
            got = mine.recv()
            p.join()
            print(json.dumps({"got": got, "virtual_s": time.perf_counter() - t0}))
    """

    def test_sixty_samples_in_three_seconds(self):
        out, real, _ = run_script(self, self.SOURCE, dilation=K, method="spawn")
        self.assertGreaterEqual(real, 60.0 / K)
        self.assertLess(real, 2 * 60.0 / K)
        self.assertGreaterEqual(out["virtual_s"], 60.0)
        sent = [g[0] for g in out["got"]]
        stamped = [g[1] for g in out["got"]]
        self.assertEqual(len(sent), 60)
        self.assertEqual(len(set(sent)), 60, sent)
        self.assertEqual(sent, sorted(sent))
        self.assertEqual(stamped, sorted(stamped))
        # All 60 distinct on an idle machine; but a receiver that wakes d real seconds late
        # stamps K*d virtual seconds late (2 busy loops on 2 cores gave one duplicate in 5
        # runs), the latent race of stamping at arrival that dilation exposes.
        self.assertGreaterEqual(len(set(stamped)), 50, stamped)
        # One clock: no sample is stamped by the analyzer before the generator made it.
        self.assertTrue(all(a <= b for a, b in out["got"]), out["got"])


if __name__ == "__main__":
    unittest.main()
