"""Tests of program mode (profile field "program"): a whole script run as `python3 main.py`, whose
first interpreter is the run's main process and whose files are all the student's.

Run: cd src/runtime/py && python3 -m unittest discover -s tests -v
"""
import os
import subprocess
import tempfile
import textwrap
import unittest

from test_runtime import PY, TIMEOUT, base_env, make_profile, read_traces

# A generator, a pipe to one worker, a queue back: the shape of TP1 in miniature.
PROGRAM = '''\
import multiprocessing as mp
import os
import time
from worker import work

if __name__ == "__main__":
    a, b = mp.Pipe()
    q = mp.Queue()
    p = mp.Process(target=work, args=(b, q))
    p.start()
    for i in range(3):
        a.send(i)
        time.sleep(1)
    a.send(None)
    print(q.get(), os.environ.get("CARRERA_PROGRAM_MAIN"), flush=True)
    p.join()
    {ending}
'''
WORKER = '''\
import os


def work(conn, q):
    total = 0
    while True:
        item = conn.recv()
        if item is None:
            break
        total += item
    q.put((total, os.environ.get("CARRERA_PROGRAM_MAIN")))
'''


class ProgramModeTest(unittest.TestCase):
    def run_program(self, method, ending="pass", main_var="1"):
        tmp = tempfile.TemporaryDirectory(prefix="carrera-program-")
        self.addCleanup(tmp.cleanup)
        sub = os.path.join(tmp.name, "sub")
        os.makedirs(sub)
        with open(os.path.join(sub, "main.py"), "w") as f:
            f.write(PROGRAM.replace("{ending}", ending))
        with open(os.path.join(sub, "worker.py"), "w") as f:
            f.write(WORKER)
        cdir = os.path.join(tmp.name, "meta")
        os.makedirs(cdir)
        import time
        profile = make_profile(cdir, method=method, program=True, student=sub + os.sep,
                               dilation={"k": 20, "epoch": time.time()})
        env = base_env(profile)
        env["TMPDIR"] = tmp.name
        if main_var is not None:
            env["CARRERA_PROGRAM_MAIN"] = main_var
        proc = subprocess.run([PY, "main.py"], cwd=sub, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=TIMEOUT)
        return proc, read_traces(cdir)

    def test_main_and_child_traced_with_lines_of_any_file(self):
        for method in ("fork", "forkserver"):
            with self.subTest(method=method):
                proc, traces = self.run_program(method)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                # Nobody but the first interpreter ever sees the variable.
                self.assertEqual(proc.stdout.split(), ["(3,", "None)", "None"])
                roles = sorted(t["role"] for t in traces.values())
                self.assertEqual(roles, ["child", "main"])
                main = [t for t in traces.values() if t["role"] == "main"][0]
                self.assertEqual(main["method"], method)
                self.assertIsNotNone(main["t_run_end"])
                kinds = {(e[1], (e[3] if len(e) > 3 else {}).get("line")) for e in main["events"]}
                # proc_start on main.py's line 10; sends from line 12: folder-wide lines.
                self.assertIn(("proc_start", 10), kinds)
                child = [t for t in traces.values() if t["role"] == "child"][0]
                lines = {(e[3] if len(e) > 3 else {}).get("line") for e in child["events"]}
                self.assertEqual(lines, {7, 11}, child["events"])  # worker.py: recv, q.put

    def test_a_named_pipe_is_an_event(self):
        ending = ("fifo = os.path.join(os.environ['TMPDIR'], 'canal')\n"
                  "    os.mkfifo(fifo)\n    os.unlink(fifo)")
        proc, traces = self.run_program("fork", ending=ending)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        main = [t for t in traces.values() if t["role"] == "main"][0]
        fifos = [e for e in main["events"] if e[1] == "fifo"]
        self.assertEqual(len(fifos), 1, main["events"])
        self.assertTrue(fifos[0][2].startswith("fifo:") and fifos[0][2].endswith("/canal"))
        self.assertEqual(fifos[0][3]["line"], 18)

    def test_uncaught_error_is_in_the_summary(self):
        proc, traces = self.run_program("fork", ending="input('bye')")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("EOFError", proc.stderr)  # the student's traceback is still printed
        main = [t for t in traces.values() if t["role"] == "main"][0]
        self.assertEqual(main["error"]["type"], "EOFError")

    def test_without_the_variable_no_process_is_main(self):
        proc, traces = self.run_program("fork", main_var=None)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(t["role"] for t in traces.values()), ["child"])


if __name__ == "__main__":
    unittest.main()
