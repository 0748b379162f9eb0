"""The real kubectl against the emulator's pods: a delete that waits out the grace period, exec
over a websocket and port-forward, as a real API server and kubelet make kubectl behave (moved out
of test_kubectl_fidelity.py)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator

from .test_kubectl_fidelity import delete_line, kubectl

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def scheduled_pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "main", "image": "busybox"}]},
        "status": {"phase": "Running"},
    }


def test_delete_waits_out_the_grace_period(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.api.pod_shutdown_seconds = None  # the container ignores SIGTERM
    kube_emulator.cluster.create(scheduled_pod("p"))
    start = time.monotonic()
    r = kubectl("delete", "pod", "p", "--grace-period=1", "--wait=true")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == delete_line("pod", "p", "default")
    assert time.monotonic() - start >= 0.9
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p") is None


def test_wait_for_delete_returns_when_the_pod_is_gone(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.api.pod_shutdown_seconds = None
    kube_emulator.cluster.create(scheduled_pod("p"))
    # A grace period long enough that kubectl wait, started under a loaded machine's latency,
    # still finds the pod terminating: with 1 s it found it gone and printed nothing.
    assert kubectl("delete", "pod", "p", "--grace-period=4", "--wait=false").returncode == 0
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p") is not None
    r = kubectl("wait", "--for=delete", "pod/p", "--timeout=30s")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pod/p condition met"


def test_exec_runs_a_command_over_websocket(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(scheduled_pod("p"))
    r = kubectl("exec", "p", "--", "echo", "hello", "world")
    assert (r.returncode, r.stdout) == (0, "hello world\n"), r.stderr
    assert kube_emulator.requests(path="/pods/p/exec")[0].status == 101


def test_exec_passes_stdin_and_the_exit_code(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(scheduled_pod("p"))
    seen: list[tuple[str, list[str], bytes]] = []

    def handler(container: str, command: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
        seen.append((container, command, stdin))
        return 3, stdin.upper(), b"warn\n"

    kube_emulator.register_exec("default", "p", handler)
    r = subprocess.run(
        ["kubectl", "exec", "-i", "p", "--", "tr", "a-z", "A-Z"],
        input="abc\n",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 3
    assert r.stdout == "ABC\n"
    assert r.stderr == "warn\ncommand terminated with exit code 3\n"
    assert seen == [("main", ["tr", "a-z", "A-Z"], b"abc\n")]


def test_port_forward_tunnels_to_the_pods_port(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    import http.server
    import socket
    import urllib.request

    class Dashboard(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"ray dashboard"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Dashboard)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        local = s.getsockname()[1]
    kube_emulator.cluster.create(scheduled_pod("head"))
    kube_emulator.register_port_forward("default", "head", 8265, ("127.0.0.1", server.server_address[1]))
    pf = subprocess.Popen(
        ["kubectl", "port-forward", "pod/head", f"{local}:8265"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert pf.stdout is not None
        assert pf.stdout.readline().strip() == f"Forwarding from 127.0.0.1:{local} -> 8265"
        for _ in range(2):
            assert urllib.request.urlopen(f"http://127.0.0.1:{local}/", timeout=10).read() == b"ray dashboard"
    finally:
        pf.terminate()
        pf.communicate(timeout=10)
        server.shutdown()
    assert kube_emulator.requests(path="/pods/head/portforward")[0].status == 101
