"""Tests of the trace events the grader draws timelines and failure pictures from: the student's
line, shared values, lock waits, process starts and joins, message keys that match across
processes, Pool tasks, and the partial traces a dump signal makes hung processes write.

Run: cd src/runtime/py && python3 -m unittest discover -s tests -v
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

from test_runtime import PY, RUNTIME, TIMEOUT, Trial, base_env, make_profile, read_traces


def lines_of(source, *marks):
    """The line numbers (in the dedented source written by Trial) of the lines with each mark."""
    import textwrap
    lines = textwrap.dedent(source).splitlines()
    return [[i for i, l in enumerate(lines, 1) if "# " + m in l][0] for m in marks]


def main_trace(traces):
    mains = [t for t in traces.values() if t["role"] == "main"]
    assert len(mains) == 1, mains
    return mains[0]


def extra(e):
    return e[3] if len(e) > 3 else {}


class CounterEventsTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp

    def _inc(v, lock, n):
        for _ in range(n):
            with lock:  # LOCK
                v.value += 1  # VALUE

    def count(n):
        v, lock = mp.Value("i", 0), mp.Lock()
        ps = [mp.Process(target=_inc, args=(v, lock, n)) for _ in range(2)]
        for p in ps:
            p.start()  # START
        lock.acquire()
        timed = lock.acquire(timeout=0.01)  # TIMED
        tried = lock.acquire(False)
        lock.release()
        for p in ps:
            p.join()  # JOIN
        return {"total": v.value, "timed": timed, "tried": tried, "pids": [p.pid for p in ps]}
    """

    def test_lines_values_lock_waits_and_processes(self):
        trial = Trial(self, self.SOURCE)
        student = os.path.join(trial.ws, "submission.py")
        rec, cdir, _ = trial.run("count", (50,), method="fork", noise="yield", p=0.5,
                                 student=student)
        res = rec["value"]["result"]
        self.assertEqual((res["total"], res["timed"], res["tried"]), (100, False, False), rec)
        lock_line, value_line, start_line, timed_line, join_line = lines_of(
            self.SOURCE, "LOCK", "VALUE", "START", "TIMED", "JOIN")
        traces = read_traces(cdir)
        main = main_trace(traces)

        # The parent: a start and a join per child, keyed by its pid, at the student's lines.
        starts = [e for e in main["events"] if e[1] == "proc_start"]
        joins = [e for e in main["events"] if e[1] == "proc_join"]
        self.assertEqual([e[2] for e in starts], [str(p) for p in res["pids"]])
        self.assertEqual([extra(e) for e in starts],
                         [{"name": "Process-%d" % i, "line": start_line} for i in (1, 2)])
        self.assertEqual([(e[2], extra(e)) for e in joins],
                         [(str(p), {"line": join_line}) for p in res["pids"]])
        # A timed acquire that failed ends its wait with lock_timeout; a non-blocking one
        # records nothing.
        timeout = [e for e in main["events"] if e[1] == "lock_timeout"]
        self.assertEqual([extra(e) for e in timeout], [{"line": timed_line}])
        mine = [e[1] for e in main["events"] if e[2] == timeout[0][2]]
        # The first acquire waits only if a child held the lock at that moment.
        if mine[0] == "lock_wait":
            mine = mine[1:]
        self.assertEqual(mine, ["lock_acquire", "lock_wait", "lock_timeout", "lock_release"])

        written = []
        for pid in res["pids"]:
            t = traces[pid]
            events = t["events"]
            self.assertEqual(len(events) + t["events_dropped"] + t["events_internal"],
                             sum(t["counts"].values()))
            self.assertLessEqual(t["counts"]["lock_wait"], t["counts"]["lock_acquire"])
            # Each lock_wait is ended by the next event of its key, a lock_acquire (no timeouts
            # here); an acquire that had not to wait has no wait before it.
            last = {}
            for e in events:
                if last.get(e[2]) == "lock_wait":
                    self.assertEqual(e[1], "lock_acquire", e)
                last[e[2]] = e[1]
            for e in events:
                want = value_line if e[1].startswith("value_") else None
                if e[1] in ("lock_wait", "lock_acquire") and e[2] == self._user_lock(events):
                    want = lock_line
                if want is not None:
                    self.assertEqual(extra(e).get("line"), want, e)
            # The Value's own lock, taken inside each read and write, is counted but not an
            # event: only the student's lock shows.
            lock_keys = {e[2] for e in events if e[1].startswith("lock_")}
            self.assertEqual(lock_keys, {self._user_lock(events)})
            self.assertGreaterEqual(t["events_internal"], 200)
            # The values: each read followed by the write of read + 1.
            vals = [e for e in events if e[1] in ("value_get", "value_set")]
            self.assertEqual(len(vals), 100)
            for get, put in zip(vals[::2], vals[1::2]):
                self.assertEqual((get[1], put[1]), ("value_get", "value_set"))
                self.assertEqual(extra(put)["v"], extra(get)["v"] + 1)
            written += [extra(e)["v"] for e in vals[1::2]]
        # Under the lock every increment wrote a value of its own.
        self.assertEqual(sorted(written), list(range(1, 101)))

    @staticmethod
    def _user_lock(events):
        # The first lock each increment takes is the student's `with lock:`.
        return [e for e in events if e[1] == "lock_acquire"][0][2]


class LockWaitTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp
    import time

    def _take(lock, taken):
        with lock:  # CHILD
            taken.value = time.time()

    def run():
        lock, taken = mp.Lock(), mp.Value("d", 0.0, lock=False)
        with lock:  # FREE
            pass
        lock.acquire()
        p = mp.Process(target=_take, args=(lock, taken))
        p.start()
        time.sleep(0.3)  # the child is waiting by now
        released = time.time()
        lock.release()  # HELD
        p.join()
        return [p.pid, taken.value >= released]
    """

    def test_only_an_acquire_that_had_to_wait_records_a_wait(self):
        free_line, child_line = lines_of(self.SOURCE, "FREE", "CHILD")
        trial = Trial(self, self.SOURCE)
        rec, cdir, _ = trial.run("run", method="fork",
                                 student=os.path.join(trial.ws, "submission.py"))
        pid, after = rec["value"]["result"]
        self.assertTrue(after, rec)
        traces = read_traces(cdir)
        main = [(e[1], extra(e).get("line")) for e in main_trace(traces)["events"]
                if e[1].startswith("lock_")]
        self.assertEqual(main[:2], [("lock_acquire", free_line), ("lock_release", free_line)])
        self.assertNotIn("lock_wait", [k for k, _ in main])
        child = [(e[1], extra(e).get("line")) for e in traces[pid]["events"]
                 if e[1].startswith("lock_")]
        self.assertEqual(child, [("lock_wait", child_line), ("lock_acquire", child_line),
                                 ("lock_release", child_line)])


class ArrayEventsTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp

    def run():
        a = mp.Array("d", 3)
        a[-1] = 2.5
        a[0] = float("inf")
        x = a[2] + a[0]
        b = mp.Array("i", 2)
        b[1] = 7
        y = b[0:2]
        return [x, y]
    """

    def test_index_and_value(self):
        rec, cdir, _ = Trial(self, self.SOURCE).run("run", method="fork")
        self.assertEqual(rec["value"]["result"], [{"__repr__": "inf"}, [0, 7]])
        events = main_trace(read_traces(cdir))["events"]
        got = [(e[1], extra(e)) for e in events if e[1].startswith("array_")]
        self.assertEqual(got, [("array_set", {"i": 2, "v": 2.5}),
                               ("array_set", {"i": 0}),  # inf: not a JSON number
                               ("array_get", {"i": 2, "v": 2.5}),
                               ("array_get", {"i": 0}),
                               ("array_set", {"i": 1, "v": 7}),
                               ("array_get", {})])  # a slice: neither


class SharedStampTest(unittest.TestCase):
    # The hook's bookkeeping after a read is made slow, as if the process were preempted there:
    # the event must still carry the time of the read itself.
    SOURCE = """
    import multiprocessing as mp
    import time
    import carrera_rt.hooks as hooks
    from carrera_rt.clock import real_time as now

    def run():
        v, a = mp.Value("i", 5), mp.Array("i", 2)
        key = hooks._shared_key

        def preempted(obj):
            time.sleep(0.3)
            return key(obj)

        hooks._shared_key = preempted
        stamps = []
        for op in (lambda: v.value, lambda: a[1]):
            before = now()
            op()
            stamps.append([before, now()])
        return stamps
    """

    def test_a_read_is_stamped_when_it_happened(self):
        rec, cdir, _ = Trial(self, self.SOURCE).run("run", method="fork")
        stamps = rec["value"]["result"]
        events = main_trace(read_traces(cdir))["events"]
        reads = [e[0] for e in events if e[1] in ("value_get", "array_get")]
        self.assertEqual(len(reads), 2, events)
        for t, (before, after) in zip(reads, stamps):
            self.assertGreaterEqual(after - before, 0.3)
            self.assertLess(t - before, 0.15, "stamped after the bookkeeping, not at the read")


class MessageKeysTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp

    def _child(q, jq, sq, w, b):
        for i in range(3):
            q.put(i)
            jq.put(i)
            sq.put(i)
        w.send("x")
        w.send("y")
        b.send_bytes(b"z")

    def exchange():
        q, jq, sq = mp.Queue(), mp.JoinableQueue(), mp.SimpleQueue()
        r, w = mp.Pipe(duplex=False)
        a, b = mp.Pipe()
        p = mp.Process(target=_child, args=(q, jq, sq, w, b))
        p.start()
        got = [q.get() for _ in range(3)] + [sq.get() for _ in range(3)]
        for _ in range(3):
            got.append(jq.get())
            jq.task_done()
        jq.join()
        got += [r.recv(), r.recv(), a.recv_bytes().decode()]
        p.join()
        return {"got": got, "child": p.pid}
    """

    def test_queue_and_pipe_keys_match_across_processes(self):
        trial = Trial(self, self.SOURCE)
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                rec, cdir, _ = trial.run("exchange", method=method, noise="yield", p=0.5)
                res = rec["value"]["result"]
                self.assertEqual(res["got"], [0, 1, 2] * 3 + ["x", "y", "z"], rec)
                traces = read_traces(cdir)
                main, child = main_trace(traces), traces[res["child"]]
                # No student path in the profile: no lines.
                self.assertFalse([e for t in (main, child) for e in t["events"]
                                  if "line" in extra(e)])

                # One key per queue, the same on both sides; the queues' own locks and pipe
                # traffic are not events.
                puts = [e[2] for e in child["events"] if e[1] == "queue_put"]
                gets = [e[2] for e in main["events"] if e[1] == "queue_get"]
                self.assertEqual(len(set(puts)), 3)
                self.assertEqual(set(puts), set(gets))
                self.assertEqual(puts, puts[:3] * 3)
                self.assertEqual({e[1] for e in child["events"]}, {"queue_put", "send"})
                self.assertEqual({e[1] for e in main["events"]},
                                 {"proc_start", "proc_join", "queue_get", "recv"})
                # Counts as before: 9 queue messages and 3 pipe messages each way. (From 3.13
                # a child's summary may be written before its feeder thread counted its last
                # writes: _bootstrap no longer joins it first. Not new.)
                self.assertEqual(main["counts"]["recv"], 12)
                if sys.version_info < (3, 13):
                    self.assertEqual(child["counts"]["send"], 12)
                self.assertGreater(child["events_internal"], 0)

                # Pipes: the two ends share "pipe:<creator pid>:<n>"; end 0 is the first returned.
                sends = [(e[2], extra(e)["end"]) for e in child["events"] if e[1] == "send"]
                recvs = [(e[2], extra(e)["end"]) for e in main["events"] if e[1] == "recv"]
                self.assertEqual(len(sends), 3)
                self.assertEqual([k for k, _ in sends], [k for k, _ in recvs])
                self.assertEqual([end for _, end in sends], [1, 1, 1])
                self.assertEqual([end for _, end in recvs], [0, 0, 0])
                self.assertEqual(len({k for k, _ in sends}), 2)
                for k, _ in sends:
                    self.assertTrue(k.startswith("pipe:%d:" % main["pid"]), k)


class PoolTasksTest(unittest.TestCase):
    SOURCE = """
    import multiprocessing as mp

    def sq(x):
        return x * x

    def add(a, b):
        return a + b

    def boom(x):
        raise ValueError("bad %d" % x)

    def _gen():
        yield 1
        raise KeyError("gen")

    def pool_all():
        with mp.Pool(2) as p:
            out = {"map": p.map(sq, range(10), chunksize=3),
                   "imap": list(p.imap(sq, range(5))),
                   "imap_chunks": list(p.imap(sq, range(7), chunksize=2)),
                   "unordered": sorted(p.imap_unordered(sq, range(6), chunksize=4)),
                   "starmap": p.starmap(add, [(1, 2), (3, 4)]),
                   "apply_async": p.apply_async(add, (5, 6)).get(),
                   "map_async": p.map_async(sq, [7, 8]).get(),
                   "apply": p.apply(add, (1, 1))}
            try:
                p.apply_async(boom, (3,)).get()
            except ValueError as e:
                out["raised"] = [type(e).__name__, str(e), type(e.__cause__).__name__]
            try:
                list(p.imap(sq, _gen()))
            except KeyError as e:
                out["gen"] = [repr(e), e.__cause__ is None]
        return out
    """
    EXPECTED = {"map": [x * x for x in range(10)], "imap": [0, 1, 4, 9, 16],
                "imap_chunks": [x * x for x in range(7)], "unordered": [0, 1, 4, 9, 16, 25],
                "starmap": [3, 7], "apply_async": 11, "map_async": [49, 64], "apply": 2,
                "raised": ["ValueError", "bad 3", "RemoteTraceback"],
                "gen": ["KeyError('gen')", True]}

    def test_results_unchanged_and_tasks_recorded(self):
        trial = Trial(self, self.SOURCE)
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                rec, cdir, _ = trial.run("pool_all", method=method)
                self.assertEqual(rec.get("value"), {"result": self.EXPECTED}, rec)
                # Workers end by the sentinel or terminate()'s SIGTERM, as without the runtime
                # (asking one for its trace must never kill it with the dump signal).
                self.assertEqual(len(rec["children"]), 2)
                self.assertTrue(all(c["exitcode"] in (0, -signal.SIGTERM)
                                    for c in rec["children"]), rec["children"])
                traces = read_traces(cdir)
                tasks = {}  # key -> (worker name, n, start index, end index)
                for t in traces.values():
                    events = t["events"]
                    for i, e in enumerate(events):
                        if e[1] != "pool_task_start":
                            continue
                        self.assertNotIn(e[2], tasks)
                        self.assertRegex(t["name"], r"^(Fork|Spawn)PoolWorker-\d+$")
                        ends = [j for j in range(i + 1, len(events))
                                if events[j][1] == "pool_task_end" and events[j][2] == e[2]]
                        self.assertTrue(ends, e)  # its end follows in the same worker
                        tasks[e[2]] = (t["name"], extra(e)["n"], extra(events[ends[0]]))
                self.assertEqual(main_trace(traces)["counts"]["pool_task_start"], 0)
                jobs = sorted({int(k.split(":")[0]) for k in tasks})
                # The map is the first job: 10 items in chunks of 3.
                first = sorted((int(k.split(":")[1]), v[1]) for k, v in tasks.items()
                               if int(k.split(":")[0]) == jobs[0])
                self.assertEqual(first, [(0, 3), (1, 3), (2, 3), (3, 1)])
                self.assertEqual(sum(n for _, n in first), 10)
                # The task that raised says so at its end.
                self.assertEqual([v[2] for v in tasks.values() if "exc" in v[2]],
                                 [{"n": 1, "exc": "ValueError"}])


class PartialTraceTest(unittest.TestCase):
    """The grader sends the dump signal to every process of a hung tree: each process of the
    trial writes the summary it has so far, marked partial, and carries on as before."""

    DEADLOCK = """
    import multiprocessing as mp, os

    def _pair(first, second, barrier, ready):
        with first:  # FIRST
            barrier.wait()
            open(os.path.join(ready, str(os.getpid())), "w").close()
            with second:  # SECOND
                pass

    def deadlock(ready):
        a, b = mp.Lock(), mp.Lock()
        barrier = mp.Barrier(2)
        ps = [mp.Process(target=_pair, args=(a, b, barrier, ready)),
              mp.Process(target=_pair, args=(b, a, barrier, ready))]
        for p in ps:
            p.start()
        open(os.path.join(ready, str(os.getpid())), "w").close()
        ps[0].join()
    """

    BLOCKED = """
    import multiprocessing as mp, os, time

    def _ready(ready):
        open(os.path.join(ready, str(os.getpid())), "w").close()

    def _lock(lock, out, ready):
        _ready(ready)
        lock.acquire()  # LOCK
        out.put(("lock", True))

    def _recv(conn, out, ready):
        _ready(ready)
        out.put(("recv", conn.recv()))  # RECV

    def _get(q, out, ready):
        _ready(ready)
        out.put(("get", q.get()))  # QGET

    def _sleep(out, ready):
        t0 = time.monotonic()
        _ready(ready)
        time.sleep(1.0)  # SLEEP
        out.put(("slept", time.monotonic() - t0 >= 1.0))

    def _gate(go, ready):
        _ready(ready)
        while not os.path.exists(go):  # POLL
            time.sleep(0.01)  # GATE

    def blocked(ready, go):
        lock, out, q = mp.Lock(), mp.Queue(), mp.Queue()
        r, w = mp.Pipe()
        lock.acquire()
        gate = mp.Process(target=_gate, args=(go, ready))
        ps = [mp.Process(target=_lock, args=(lock, out, ready)),
              mp.Process(target=_recv, args=(r, out, ready)),
              mp.Process(target=_get, args=(q, out, ready)),
              mp.Process(target=_sleep, args=(out, ready))]
        for p in ps + [gate]:
            p.start()
        _ready(ready)
        gate.join()  # JOIN
        lock.release()
        w.send("hello")
        q.put(42)
        got = dict(out.get() for _ in ps)
        for p in ps:
            p.join()
        return got
    """

    def start(self, source, function, args_of, method):
        """Start the runner in its own session; returns (proc, cdir, ready dir, extra dir)."""
        trial = Trial(self, source)
        cdir = os.path.join(trial.ws, ".carrera")
        ready, scratch = os.path.join(trial.tmp.name, "ready"), trial.tmp.name
        os.makedirs(cdir)
        os.makedirs(ready)
        spec = {"mode": "call", "module_dir": trial.ws, "module": "submission",
                "function": function, "harness": None,
                "case": {"id": "c", "args": args_of(ready, scratch), "kwargs": {}}}
        with open(os.path.join(cdir, "spec.json"), "w") as f:
            json.dump(spec, f)
        prof = make_profile(cdir, method=method, student=os.path.join(trial.ws, "submission.py"))
        err = open(os.path.join(scratch, "stderr"), "w+")
        self.addCleanup(err.close)
        proc = subprocess.Popen([PY, "-c", "import carrera_rt.runner as r; r.main()"],
                                cwd=trial.ws, env=base_env(prof), stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
        self.addCleanup(self._kill, proc)
        return proc, cdir, ready, err

    @staticmethod
    def _kill(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()

    @staticmethod
    def group(pgid):
        """Every live process of the trial's process group (as the grader signals them)."""
        out = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % name) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(name))
        return out

    def wait_ready(self, ready, n, proc, err):
        deadline = time.time() + TIMEOUT
        while len(os.listdir(ready)) < n:
            if proc.poll() is not None or time.time() > deadline:
                err.seek(0)
                self.fail("the trial did not block: %s" % err.read())
            time.sleep(0.01)
        time.sleep(0.1)  # from "ready" to blocked is a few microseconds
        return [int(p) for p in os.listdir(ready)]

    def signal_and_collect(self, proc, cdir, pids):
        """Send the dump signal to the whole group; returns ({pid: trace}, {pid: seconds})."""
        everyone = self.group(proc.pid)
        self.assertTrue(set(pids) <= set(everyone), (pids, everyone))
        t0 = time.time()
        for pid in everyone:
            os.kill(pid, signal.SIGUSR1)
        seen = {}
        while len(seen) < len(pids) and time.time() - t0 < 5:
            for pid in pids:
                path = os.path.join(cdir, "trace", "%d.json" % pid)
                if pid not in seen and os.path.exists(path):
                    seen[pid] = time.time() - t0
            time.sleep(0.002)
        self.assertEqual(sorted(seen), sorted(pids))
        for pid, dt in seen.items():
            self.assertLess(dt, 0.3, "partial trace of %d after %.3f s" % (pid, dt))
        traces = read_traces(cdir)
        # Only the trial's processes write one (not the resource tracker), and nobody died.
        self.assertEqual(sorted(traces), sorted(pids))
        self.assertTrue(all(t.get("partial") is True for t in traces.values()))
        time.sleep(0.05)
        self.assertEqual(sorted(self.group(proc.pid)), sorted(everyone))
        return traces

    def dump_has(self, cdir, pid, line):
        with open(os.path.join(cdir, "dumps", "%d.txt" % pid)) as f:
            self.assertIn("submission.py\", line %d in " % line, f.read())

    def test_deadlocked_pair_shows_held_and_awaited_locks(self):
        first_line, second_line = lines_of(self.DEADLOCK, "FIRST", "SECOND")
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                proc, cdir, ready, err = self.start(self.DEADLOCK, "deadlock",
                                                    lambda r, s: [r], method)
                pids = self.wait_ready(ready, 3, proc, err)
                traces = self.signal_and_collect(proc, cdir, pids)
                main = main_trace(traces)
                kids = [traces[int(e[2])] for e in main["events"] if e[1] == "proc_start"]
                held = {}
                for t in kids:
                    self.dump_has(cdir, t["pid"], second_line)
                    locks = [e for e in t["events"] if e[1].startswith("lock_")
                             and extra(e).get("line") in (first_line, second_line)]
                    # Holds its first lock (acquired at once, never released), waits for its
                    # second.
                    self.assertEqual([(e[1], extra(e)["line"]) for e in locks],
                                     [("lock_acquire", first_line), ("lock_wait", second_line)])
                    held[t["pid"]] = (locks[0][2], locks[1][2])
                (a_held, a_wants), (b_held, b_wants) = held.values()
                self.assertEqual((a_wants, b_wants), (b_held, a_held))  # the cycle
                self._kill(proc)

    def test_blocked_processes_write_partial_traces_and_carry_on(self):
        join_line, lock_line, recv_line, get_line, sleep_line, gate_line, poll_line = lines_of(
            self.BLOCKED, "JOIN", "LOCK", "RECV", "QGET", "SLEEP", "GATE", "POLL")
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                proc, cdir, ready, err = self.start(
                    self.BLOCKED, "blocked", lambda r, s: [r, os.path.join(s, "go")], method)
                pids = self.wait_ready(ready, 6, proc, err)
                traces = self.signal_and_collect(proc, cdir, pids)
                main = main_trace(traces)
                self.dump_has(cdir, main["pid"], join_line)
                for t in traces.values():
                    if t is not main:
                        with open(os.path.join(cdir, "dumps", "%d.txt" % t["pid"])) as f:
                            text = f.read()
                        self.assertTrue(any("line %d in " % n in text for n in
                                            (lock_line, recv_line, get_line, sleep_line,
                                             gate_line, poll_line)), text)  # the gate polls
                lock_child = [t for t in traces.values() if t is not main and
                              [e[1] for e in t["events"] if e[1].startswith("lock_")] ==
                              ["lock_wait"]]
                self.assertEqual(len(lock_child), 1)  # the one waiting for the parent's lock

                open(os.path.join(os.path.dirname(ready), "go"), "w").close()
                proc.wait(timeout=TIMEOUT)
                with open(os.path.join(cdir, "result.jsonl")) as f:
                    rec = json.loads(f.read())
                self.assertEqual(rec.get("value"), {"result": {
                    "lock": True, "recv": "hello", "get": 42, "slept": True}}, rec)
                self.assertTrue(all(c["exitcode"] == 0 for c in rec["children"]))
                # The complete summaries replaced the partial ones.
                final = read_traces(cdir)
                self.assertTrue(set(pids) <= set(final))
                self.assertFalse([t for t in final.values() if "partial" in t])


class StudentFieldTest(unittest.TestCase):
    def test_profile_student_must_be_absolute_or_null(self):
        sys.path.insert(0, RUNTIME)
        try:
            from carrera_rt import config
        finally:
            sys.path.remove(RUNTIME)
        base = make_profile("/tmp/x")
        self.assertIsNone(config.parse(json.dumps(base)).student)
        self.assertIsNone(config.parse(json.dumps(dict(base, student=None))).student)
        self.assertEqual(config.parse(json.dumps(dict(base, student="/w/s.py"))).student,
                         "/w/s.py")
        for bad in ("s.py", 3, ["/w/s.py"]):
            with self.assertRaises(ValueError):
                config.parse(json.dumps(dict(base, student=bad)))


if __name__ == "__main__":
    unittest.main()
