"""Tests of the warm trial server (carrera_rt.server): a trial forked from it must look to the
grader like one started as a fresh interpreter, and one trial must not affect the next.

Run: cd src/runtime/py && python3 -m unittest discover -s tests -v
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from test_runtime import PY, base_env, make_profile

PLACEHOLDER = "carrera-0000000001-warm00000001"


def marker(n):
    return "carrera-0000000002-%012d" % n


class Server(object):
    def __init__(self, test, harness=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="carrera-srv-")
        test.addCleanup(self.tmp.cleanup)
        self.harness = None
        if harness is not None:
            self.harness = os.path.join(self.tmp.name, "harness_srv.py")
            with open(self.harness, "w") as f:
                f.write(textwrap.dedent(harness))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = base_env()
        env["CARRERA_TRIAL"] = PLACEHOLDER
        self.proc = subprocess.Popen(
            [PY, "-c", "import carrera_rt.server as s; s.main()"]
            + ([self.harness] if self.harness else []), stdin=theirs,
            stderr=subprocess.PIPE, env=env, cwd=self.tmp.name)
        theirs.close()
        self.sock = ours
        test.addCleanup(self.close)
        self.greeting = self.recv()
        self.n = 0

    def recv(self):
        self.sock.settimeout(60)
        return json.loads(self.sock.recv(1 << 16))

    def close(self):
        self.sock.close()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.stderr.close()

    def trial(self, source, function="f", mode="call", mark=None, while_running=None,
              go=None, args=()):
        """Run one trial; returns (start reply, exit reply, result record or None, stdout).
        With `go`, the trial gets a stdin pipe (as a timed call does) and `go(pid, cdir, w)`
        runs once it has started, with the pipe's write end."""
        self.n += 1
        ws = os.path.join(self.tmp.name, "t%d" % self.n)
        cdir = os.path.join(ws, ".carrera")
        os.makedirs(cdir)
        with open(os.path.join(ws, "submission.py"), "w") as f:
            f.write(textwrap.dedent(source))
        spec = {"mode": mode, "module_dir": ws, "module": "submission", "function": function,
                "harness": self.harness, "case": {"id": "c", "args": list(args), "kwargs": {}}}
        with open(os.path.join(cdir, "spec.json"), "w") as f:
            json.dump(spec, f)
        env = base_env(make_profile(cdir))
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        req = {"cwd": ws, "env": env, "marker": mark or marker(self.n), "cpus": None,
               "rlimits": []}
        fds = [out_w, err_w]
        if go is not None:
            go_r, go_w = os.pipe()
            fds.append(go_r)
        socket.send_fds(self.sock, [json.dumps(req).encode()], fds)
        for fd in fds:
            os.close(fd)
        started = self.recv()
        if while_running is not None:
            while_running(started["pid"])
        if go is not None:
            go(started["pid"], cdir, go_w)
            os.close(go_w)
        done = self.recv()
        with os.fdopen(out_r) as f:
            out = f.read()
        os.close(err_r)
        result = None
        path = os.path.join(cdir, "result.jsonl")
        if os.path.exists(path):
            with open(path) as f:
                result = json.loads(f.read().splitlines()[0])
        return started, done, result, out


class WarmServerTest(unittest.TestCase):
    def test_a_trial_runs_like_a_fresh_interpreter(self):
        srv = Server(self)
        self.assertIn("ready", srv.greeting)
        started, done, result, out = srv.trial("""
            import multiprocessing as mp
            print("imported")
            def _sq(x):
                return x * x
            def f():
                with mp.Pool(2) as pool:
                    return pool.map(_sq, range(5))
        """)
        self.assertEqual(done["pid"], started["pid"])
        self.assertTrue(done["setup"])
        self.assertTrue(os.WIFEXITED(done["status"]) and os.WEXITSTATUS(done["status"]) == 0)
        self.assertEqual(result["kind"], "returned")
        self.assertEqual(result["value"], {"result": [0, 1, 4, 9, 16]})
        self.assertEqual(out, "imported\n")  # the trial's own stdout, not the server's

    def test_a_timed_call_waits_for_the_go_byte_on_the_stdin_it_was_given(self):
        srv = Server(self)
        seen = {}

        def go(pid, cdir, w):
            deadline = time.time() + 20
            while not os.path.exists(os.path.join(cdir, "ready")) and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(0.3)
            # Ready, but the call has not run: it is waiting for us.
            seen["early"] = os.path.exists(os.path.join(cdir, "called"))
            os.write(w, b"g")

        _, done, result, _ = srv.trial("""
            import os
            def f():
                open(os.path.join(".carrera", "called"), "w").close()
                return 7
        """, mode="speedup", go=go)
        self.assertIs(seen.get("early"), False)
        self.assertTrue(os.WIFEXITED(done["status"]) and os.WEXITSTATUS(done["status"]) == 0)
        self.assertEqual(result["value"], {"result": 7})

    def test_a_timed_call_inherits_the_inputs_the_server_built_once(self):
        srv = Server(self, harness="""
            import functools, os
            def speedup_args(n):
                return (_data(n),), {}
            @functools.lru_cache(maxsize=1)
            def _data(n):
                return [os.getpid()] * n
        """)

        def go(pid, cdir, w):
            os.write(w, b"g")

        results = [srv.trial("""
            import os
            def f(data):
                data.append(0)  # changes this call's copy only
                return [data[0], len(data)]
        """, mode="speedup", go=go, args=[3])[2] for _ in range(2)]
        for result in results:
            self.assertEqual(result["kind"], "returned", result)
            # Built by the server, not by the call, and not changed by the previous call.
            self.assertEqual(result["value"], {"result": [srv.proc.pid, 4]})

    def test_the_trial_is_found_by_its_marker_and_group(self):
        srv = Server(self)
        seen = {}

        def look(pid):
            deadline = time.time() + 20
            while time.time() < deadline:
                try:
                    with open("/proc/%d/environ" % pid, "rb") as f:
                        env = f.read().split(b"\0")
                    if ("CARRERA_TRIAL=" + marker(1)).encode() in env:
                        seen["marker"] = True
                        seen["pgid"] = os.getpgid(pid)
                        return
                except OSError:
                    return
                time.sleep(0.01)

        started, done, result, _ = srv.trial("""
            import time
            def f():
                time.sleep(1.0)
                return 1
        """, while_running=look)
        self.assertTrue(seen.get("marker"), "the trial's marker is not in /proc/<pid>/environ")
        self.assertEqual(seen["pgid"], started["pid"])
        self.assertEqual(result["kind"], "returned")

    def test_state_does_not_carry_over_between_trials(self):
        srv = Server(self)
        source = """
            import multiprocessing as mp
            COUNT = []
            def f():
                COUNT.append(1)
                mp.set_start_method("spawn", force=True)
                return [len(COUNT), mp.get_start_method()]
        """
        for _ in range(2):
            _, done, result, _ = srv.trial(source)
            # The profile pins fork: the student's call is recorded and ignored, every time.
            self.assertEqual(result["value"], {"result": [1, "fork"]})

    def test_a_setup_failure_is_reported_as_ours_and_the_server_goes_on(self):
        srv = Server(self)
        _, done, result, _ = srv.trial("def f():\n    return 1\n", mark="too-short")
        self.assertFalse(done["setup"])
        self.assertIn("the setup of trial %d failed: " % done["pid"], done["error"])
        self.assertIsNone(result)
        _, done, result, _ = srv.trial("def f():\n    return 2\n")
        self.assertTrue(done["setup"])
        self.assertEqual(result["value"], {"result": 2})

    def test_exit_codes_follow_python(self):
        srv = Server(self)
        _, done, result, _ = srv.trial("import sys\nsys.exit(3)\n")
        self.assertTrue(done["setup"])
        self.assertEqual(result["kind"], "import_error")
        _, done, _, _ = srv.trial("import os\ndef f():\n    os._exit(7)\n")
        self.assertEqual(os.WEXITSTATUS(done["status"]), 7)

    def test_orphans_of_a_trial_are_reaped_by_the_server(self):
        srv = Server(self)
        go = os.path.join(srv.tmp.name, "go")
        # The leader leaves a child behind, which outlives it and exits when the test says.
        source = """
            import os, time
            def f():
                if os.fork() == 0:
                    null = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(null, 1)  # the test reads the trial's output to its end
                    os.dup2(null, 2)
                    deadline = time.monotonic() + 30
                    while not os.path.exists(%r) and time.monotonic() < deadline:
                        time.sleep(0.01)
                    os._exit(0)
                return os.getpid()
        """ % go
        _, done, result, _ = srv.trial(source)
        self.assertTrue(done["setup"])
        leader = result["value"]["result"]
        orphans = [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(p) == srv.proc.pid
                   and int(p) != leader]
        self.assertEqual(len(orphans), 1, "the orphan was not adopted by the server")
        open(go, "w").close()
        deadline = time.monotonic() + 30
        while os.path.exists("/proc/%d" % orphans[0]) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertFalse(os.path.exists("/proc/%d" % orphans[0]), "the orphan was never reaped")
        # The reaper must not take the statuses a trial's own children are waited for with.
        _, done, result, _ = srv.trial("""
            import multiprocessing as mp, os, signal
            def g():
                pass
            def f():
                ps = [mp.Process(target=g) for _ in range(4)]
                for p in ps:
                    p.start()
                for p in ps:
                    p.join()
                return [signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL,
                        [p.exitcode for p in ps]]
        """)
        self.assertEqual(result["value"], {"result": [True, [0, 0, 0, 0]]})

    def test_the_server_exits_when_the_grader_goes_away(self):
        srv = Server(self)
        srv.sock.close()
        self.assertEqual(srv.proc.wait(timeout=30), 0)


def _ppid(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


if __name__ == "__main__":
    unittest.main()
