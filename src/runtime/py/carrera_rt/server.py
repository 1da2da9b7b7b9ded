"""The warm trial server: one interpreter that has already imported the runtime,
multiprocessing and the exercise's harness, and forks one child per trial.

Started by the grader as `python -c "import carrera_rt.server as s; s.main()" [harness.py]`
with a SOCK_SEQPACKET unix socket as stdin and no CARRERA_PROFILE (so nothing is installed
here). Each request is one JSON message carrying the child's stdout and stderr (and, for a
timed call, the pipe its go byte comes on) as SCM_RIGHTS file descriptors; see
docs/runtime-protocol.md. The student's module is *not* imported here: a module-level Lock or
start-method call would then be shared by every trial.

The child becomes what `python -c "import carrera_rt.runner as r; r.main()"` would be: its own
process group, the trial's rlimits, CPUs, cwd and environment, the runtime installed from
the trial's profile, and the interpreter's exit path (threads joined, atexit run)."""
import ctypes
import gc
import json
import os
import select
import signal
import socket
import sys
import traceback

MARKER_VAR = "CARRERA_TRIAL"
_MAX_MESSAGE = 1 << 16
_PR_SET_PDEATHSIG = 1
# The trial leader being waited for, whose status the orphan reaper must leave alone.
_leader = None
# The exercise's harness module, if the server was given one.
_harness = None

# What a fresh trial would import anyway, imported once here.
PRELOAD = (
    "multiprocessing", "multiprocessing.connection", "multiprocessing.context",
    "multiprocessing.forkserver", "multiprocessing.heap", "multiprocessing.managers",
    "multiprocessing.pool", "multiprocessing.popen_fork", "multiprocessing.popen_forkserver",
    "multiprocessing.popen_spawn_posix", "multiprocessing.process", "multiprocessing.queues",
    "multiprocessing.reduction", "multiprocessing.resource_tracker",
    "multiprocessing.sharedctypes", "multiprocessing.spawn", "multiprocessing.synchronize",
    "multiprocessing.util", "concurrent.futures", "concurrent.futures.process", "queue",
    "random", "resource", "threading", "atexit", "faulthandler",
    "carrera_rt.clock", "carrera_rt.config", "carrera_rt.dump", "carrera_rt.hooks",
    "carrera_rt.noise",
    "carrera_rt.trace", "carrera_rt.runner",
)


class Marker(object):
    """The CARRERA_TRIAL string in this process's original environment block, which is what
    /proc/<pid>/environ shows. A forked child overwrites it in place with its trial's marker
    (same length), so the grader finds the child and all its forked descendants by it."""

    def __init__(self):
        self.addr = None
        self.length = 0
        libc = ctypes.CDLL(None, use_errno=True)
        env = ctypes.POINTER(ctypes.c_void_p).in_dll(libc, "environ")
        key = (MARKER_VAR + "=").encode()
        i = 0
        while env[i]:
            entry = ctypes.string_at(env[i])
            if entry.startswith(key):
                self.addr = env[i] + len(key)
                self.length = len(entry) - len(key)
                break
            i += 1
        if self.addr is None:
            raise RuntimeError("%s is not in the environment" % MARKER_VAR)
        self.libc = libc

    def stamp(self, marker):
        raw = marker.encode()
        if len(raw) != self.length:
            raise ValueError("marker %r must be %d bytes" % (marker, self.length))
        ctypes.memmove(self.addr, raw, len(raw))


def _preload(harness):
    global _harness
    import importlib
    for name in PRELOAD:
        importlib.import_module(name)
    if harness:
        from . import runner
        _harness = runner._load_harness_module(harness)


def _prebuild(req):
    """Before forking a timed call: its inputs, built here once, when the harness caches
    what `speedup_args` builds (06's data list). Each call then inherits them instead of
    building them before its clock. Any failure is left to the call itself, which builds
    them again and reports it."""
    prepare = getattr(_harness, "speedup_args", None)
    if prepare is None:
        return
    try:
        from . import config
        prof = config.parse(req["env"].get("CARRERA_PROFILE") or "")
        with open(os.path.join(prof.dir, "spec.json")) as f:
            spec = json.load(f)
        if spec.get("mode") != "speedup":
            return
        case = spec.get("case") or {}
        prepare(*(case.get("args") or []), **(case.get("kwargs") or {}))
        gc.freeze()  # the new objects too: a child's collector must not copy their pages
    except Exception:
        pass


def _send(sock, obj):
    sock.send(json.dumps(obj).encode())


def main():
    global _leader
    sock = socket.socket(fileno=0)
    try:
        marker = Marker()
        _preload(sys.argv[1] if len(sys.argv) > 1 else None)
    except BaseException as e:
        _send(sock, {"error": "%s: %s" % (type(e).__name__, e)})
        return
    sys.stdout.flush()
    sys.stderr.flush()
    _adopt_orphans(marker.libc)
    # The collector in a forked child would otherwise walk, and so copy, every page of the
    # server's heap.
    gc.collect()
    gc.freeze()
    _send(sock, {"ready": os.getpid()})
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, 4)
        except OSError:
            return
        if not msg:
            return  # the grader closed its end
        try:
            req = json.loads(msg)
            if len(fds) > 2:
                _prebuild(req)  # a timed call (it has a go pipe); stress trials skip the read
            ready_r, ready_w = os.pipe()
            # Until the reaper knows the leader's pid, it must not run.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
            pid = os.fork()
        except BaseException as e:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            for fd in fds:
                os.close(fd)
            _send(sock, {"error": "%s: %s" % (type(e).__name__, e)})
            continue
        if pid == 0:
            os.close(ready_r)
            _child(req, fds, sock, marker, ready_w)  # never returns
        _leader = pid
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        os.close(ready_w)
        for fd in fds:
            os.close(fd)
        try:
            os.setpgid(pid, pid)  # also done by the child: whichever runs first wins the race
        except OSError:
            pass
        _send(sock, {"pid": pid})
        done = _wait(pid, sock)
        _leader = None
        _reap_orphans()
        if done is None:
            return
        # The child says so once it is the trial: a failure before that is ours, not the
        # student's, and must not be judged as their crash.
        said = os.read(ready_r, 4096)
        done["setup"] = said[:1] == b"1"
        if said[:1] == b"0":
            done["error"] = "the setup of trial %d failed: %s" % (
                pid, said[1:].decode("utf-8", "replace"))
        os.close(ready_r)
        _send(sock, dict(done, pid=pid))


def _adopt_orphans(libc):
    """A trial's processes orphaned by its leader's end come to the server, not to init,
    which may reap them late (here about a second): until reaped, they count against the
    server's process limit, and the grader waits for them before the next trial."""
    pr_set_child_subreaper = 36
    if libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) != 0:
        return  # init reaps them then, in its own time
    signal.signal(signal.SIGCHLD, lambda _sig, _frame: _reap_orphans())


def _reap_orphans():
    """Reaps every dead child except the leader being waited for (its wait4 gives the status
    and CPU the grader needs)."""
    while True:
        try:
            dead = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if dead is None or dead.si_pid == _leader:
                return  # the leader's turn comes in _wait; the rest after it
            os.waitpid(dead.si_pid, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def _wait(pid, sock):
    """The child's wait status and CPU, or None when the grader went away (the child's group
    is killed then: nobody is left to enforce its deadline)."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(sock.fileno(), select.POLLIN | select.POLLHUP)
        try:
            while True:
                events = dict(poller.poll())
                if sock.fileno() in events:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                    os.waitpid(pid, 0)
                    return None
                if pidfd in events:
                    break
        finally:
            os.close(pidfd)
    while True:
        try:
            _, status, ru = os.wait4(pid, 0)
            return {"status": status, "cpu": ru.ru_utime + ru.ru_stime}
        except InterruptedError:
            continue


def _child(req, fds, sock, marker, ready):
    code = 1
    set_up = False
    try:
        _become_trial(req, fds, sock, marker, ready)
        set_up = True
        code = _run_as_main()
    except BaseException as e:
        if not set_up:
            # The grader's error names the cause (the trial's stderr is not kept for it).
            try:
                os.write(ready, b"0" + ("%s: %s" % (type(e).__name__, e)).encode()[:4000])
            except BaseException:
                pass
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(code)


def _become_trial(req, fds, sock, marker, ready):
    # The server's orphan reaper would take the statuses multiprocessing waits for.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    os.setpgid(0, 0)
    marker.libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:
        os._exit(1)  # the server died before the child armed its death signal
    marker.stamp(req["marker"])
    # A timed call also gets the pipe its go byte comes on; other trials read nothing.
    out, err, stdin = (fds + [None])[:3]
    if stdin is None:
        stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sock.detach()  # fd 0 is the trial's stdin now; the socket object must not close it
    os.closerange(3, ready)
    os.closerange(ready + 1, 1 << 16)
    import resource
    for res, want in req.get("rlimits", []):
        _, hard = resource.getrlimit(res)
        want = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(res, (want, want))
    if req.get("seccomp"):
        _seccomp(marker.libc, req["seccomp"])  # after setpgid, which it may forbid
    if req.get("cpus"):
        os.sched_setaffinity(0, req["cpus"])
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    os.environ[MARKER_VAR] = req["marker"]
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # it caches TMPDIR, and this trial has its own
    sys.argv[:] = ["-c"]
    import carrera_rt
    carrera_rt.install()
    os.write(ready, b"1")
    os.close(ready)


def _seccomp(libc, program_hex):
    """Installs the grader's seccomp filter (classic BPF, 8 bytes per instruction)."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    raw = bytes.fromhex(program_hex)
    buf = ctypes.create_string_buffer(raw, len(raw))
    prog = SockFprog(len(raw) // 8, ctypes.cast(buf, ctypes.c_void_p))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if (libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0
            or libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(prog), 0, 0) != 0):
        raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")


def _run_as_main():
    """Run the trial's main program with the exit path of `python -c`."""
    import atexit
    import threading
    code = 0
    try:
        from . import runner
        runner.main()
    except SystemExit as e:
        code = _exit_code(e.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        threading._shutdown()
    except BaseException:
        pass
    atexit._run_exitfuncs()
    return code


def _exit_code(value):
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        sys.stderr.write("%s\n" % (value,))
    except BaseException:
        pass
    return 1
