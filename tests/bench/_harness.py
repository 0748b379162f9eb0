"""Shared benchmark helpers: timing commands and running the standalone Kubernetes emulator."""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The akscli under test. `nox -s bench` installs it as users do (`pip install .` into a virtualenv
# of its own: not editable, no test dependencies) and names it here. Timing the development
# environment's akscli instead would charge it for what no user has: the editable install's
# import finder, and kubernetes_validate (a test dependency of the emulator that
# kubernetes.dynamic imports whenever it is installed, about 80 ms).
AKSCLI = (
    os.environ.get("AKSCLI_BENCH_TOOL") or shutil.which("akscli", path=str(Path(sys.executable).parent)) or "akscli"
)
# The interpreter of that install: for what a bench times of akscli's modules alone.
TOOL_PYTHON = str(Path(AKSCLI).with_name("python")) if os.path.isabs(AKSCLI) else sys.executable
KUBECTL = shutil.which("kubectl")
TASKSET = shutil.which("taskset")


def compile_bytecode() -> None:
    """Compile akscli's modules as pip does at install: where PYTHONDONTWRITEBYTECODE is set,
    every akscli start would otherwise compile them again and the benchmark would time that."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "akscli")], check=False)


def tool_description() -> str:
    """Which akscli the figures are of, printed first by each bench."""
    install = "this environment's akscli" if "AKSCLI_BENCH_TOOL" not in os.environ else "a runtime-only pip install"
    return f"akscli under test: {AKSCLI} ({install})"


def median_seconds(command: Sequence[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def once(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one run of ``command``."""
    elapsed, usage = timed(command, env)
    return elapsed, usage.ru_maxrss


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, os.struct_rusage]:
    """Wall time and resource usage (CPU seconds, peak RSS) of one run of ``command``."""
    # stderr goes to a file, not a pipe: nobody reads a pipe until the command ends, and a
    # 5,000-object apply's progress lines fill its 64 KiB buffer and block the command for ever
    with tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            err_file.seek(0)
            tail = err_file.read()[-2000:].decode(errors="replace")
            raise RuntimeError(f"{' '.join(command[:3])} ... failed: {tail}")
    return elapsed, usage


def tool_env(kubeconfig: Path, workdir: Path) -> dict[str, str]:
    """The environment both tools run in: the emulator's kubeconfig, akscli's audit log and
    kubectl's discovery cache kept in the benchmark's own folder."""
    return dict(
        os.environ,
        KUBECONFIG=str(kubeconfig),
        AKSCLI_AUDIT_LOG=str(workdir / "audit.jsonl"),
        KUBECACHEDIR=str(workdir / "kubecache"),
    )


def own_core_cpus() -> tuple[int, int] | None:
    """A CPU for the API server and another for the tool under test, or None where this process
    may use fewer than two CPUs, or taskset (util-linux) or CPU affinity (Linux) is missing.

    A real API server runs on machines of its own; on a small benchmark machine the emulator and
    the tool otherwise take CPU from each other, and the tool that sends more requests (akscli's
    dry run per object, which #16 requires) pays for the emulator's work on them as well."""
    if TASKSET is None or not hasattr(os, "sched_getaffinity"):  # Linux only, as taskset is
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return cpus[-1], cpus[0]


def pin_this_process(cpus: set[int]) -> None:
    """Every thread of this process (an in-process emulator's included) on ``cpus``; threads
    started later inherit it from the thread that starts them."""
    for task in os.listdir("/proc/self/task"):
        os.sched_setaffinity(int(task), cpus)


def on_cpu(cpu: int, command: Sequence[str]) -> list[str]:
    """``command`` run on one CPU (taskset replaces itself with it: same process, same rusage)."""
    return [str(TASKSET), "-c", str(cpu), *command]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def standalone_emulator(*extra: str, startup_timeout: float = 600) -> Iterator[Path]:
    """Start ``python -m tests.emulators.kube`` in its own process; yields its kubeconfig."""
    workdir = Path(tempfile.mkdtemp(prefix="akscli-bench-"))
    kubeconfig = workdir / "kubeconfig"
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.emulators.kube", "--port", str(port), "--kubeconfig", str(kubeconfig), *extra],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + startup_timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"emulator exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            if kubeconfig.exists():
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    pass
            time.sleep(0.2)
        else:
            raise RuntimeError("emulator did not start in time")
        yield kubeconfig
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def paired_medians(
    ours: Sequence[str], peer: Sequence[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Median wall seconds of each command, the two run in turn: on a shared machine a burst of
    load then lands on both sides instead of on one."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for command, into in ((ours, times[0]), (peer, times[1])):
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
            into.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def ratio_line(label: str, ours: float, peer: float, peer_label: str, target: float | None = None) -> str:
    line = f"{label}: akscli {ours * 1000:,.0f} ms, {peer_label} {peer * 1000:,.0f} ms, ratio {ours / peer:.2f}x"
    if target is None:
        return line
    mark = "at target" if ours / peer <= target else "NOT at target"
    return f"{line}, target <= {target:.1f}x: {mark}"
