"""akscli ray service and ray dashboard against the emulator and the KubeRay simulator."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli import ray
from tests.cli import invoke, start, stop
from tests.ray.conftest import akscli
from tests.ray.test_cli_cluster import wait_until

SERVE = "applications:\n- name: llm\n  import_path: serve_llm:app\n  route_prefix: /\n"


@pytest.fixture
def serve_file(tmp_path: Path) -> Path:
    path = tmp_path / "serve.yaml"
    path.write_text(SERVE)
    return path


def test_deploy_waits_for_ready_and_status_shows_endpoints(ray_emulator: Callable[..., Any], serve_file: Path) -> None:
    emu = ray_emulator()
    result = akscli("ray service deploy llm -f {} --wait --timeout 20s -o name", serve_file)
    assert result.exit_code == 0, result
    stored = emu.cluster.get("ray.io/v1", "RayService", "default", "llm")
    assert "serve_llm:app" in stored["spec"]["serveConfigV2"]
    status = json.loads(invoke("ray", "service", "status", "llm", "-o", "json").stdout)
    assert status["ready"] == "True" and status["serveEndpoints"] >= 1
    # Each application with its Serve deployments (the simulator names its one deployment after the app).
    deployments = {"llm": {"status": "HEALTHY", "message": None}}
    assert status["applications"] == {"llm": {"status": "RUNNING", "message": None, "deployments": deployments}}
    listed = invoke("ray", "service", "list")
    assert listed.stdout.split("\n")[1].split()[:3] == ["llm", "True", str(status["serveEndpoints"])]


def test_a_failing_application_is_shown_in_status(ray_emulator: Callable[..., Any], serve_file: Path) -> None:
    ray_emulator(failure="serve-fail")
    result = invoke("ray", "service", "deploy", "llm", "-f", str(serve_file), "--wait", "--timeout", "20s")
    # DEPLOY_FAILED keeps the cluster from ever being promoted: the wait ends at once (exit 10).
    assert result.exit_code == 10, result
    status = invoke("ray", "service", "status", "llm")
    assert "app llm:" in status.stdout and "DEPLOY_FAILED: Failed to import serve_llm:app" in status.stdout


def test_a_serve_config_without_applications_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "serve.yaml"
    path.write_text("http_options: {port: 8000}\n")
    result = invoke("ray", "service", "deploy", "llm", "-f", str(path), "--dry-run=client")
    assert result.exit_code == 2
    assert "is not a Ray Serve config: it has no applications list" in result.stderr


def test_a_serve_config_with_an_empty_applications_list_is_refused_saying_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "serve.yaml"
    path.write_text("applications: []\n")
    result = invoke("ray", "service", "deploy", "llm", "-f", str(path), "--dry-run=client")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: -f: {path} is not a Ray Serve config: its applications list is empty, so it would serve nothing"
    )


def test_delete_service(ray_emulator: Callable[..., Any], serve_file: Path) -> None:
    emu = ray_emulator()
    assert invoke("ray", "service", "deploy", "llm", "-f", str(serve_file)).exit_code == 0
    result = invoke("ray", "service", "delete", "llm", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get("ray.io/v1", "RayService", "default", "llm") is None


def test_dashboard_url_goes_through_the_service_proxy(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    result = invoke("ray", "dashboard", "demo")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == (
        f"{emu.url.rstrip('/')}/api/v1/namespaces/default/services/demo-head-svc:dashboard/proxy/"
    )


def test_dashboard_of_a_job_resolves_its_cluster(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert akscli("ray job submit --name j --keep-cluster --wait --timeout 30s -- python x.py").exit_code == 0
    info = json.loads(invoke("ray", "dashboard", "rayjob/j", "-o", "json").stdout)
    assert info["cluster"].startswith("j-") and info["service"] == f"{info['cluster']}-head-svc"


def test_dashboard_of_an_unknown_type_is_refused(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = invoke("ray", "dashboard", "pod/x")
    assert result.exit_code == 2 and "resource type" in result.stderr


def test_port_forward_relays_and_survives_a_head_pod_restart(ray_emulator: Callable[..., Any]) -> None:
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    emu = ray_emulator()
    assert (
        invoke("ray", "cluster", "create", "demo", "--worker-replicas", "0", "--wait", "--timeout", "20s").exit_code
        == 0
    )
    down = {"now": False}

    def dashboard(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if down["now"]:
            return 503, {"Content-Type": "text/plain"}, b"no endpoints available"
        return 200, {"Content-Type": "text/html"}, f"<html>ray {path}</html>".encode()

    emu.register_service_proxy("default", "demo-head-svc", 8265, dashboard)
    kube = connect(KubeTarget())
    lines: list[str] = []
    forwarder = ray.DashboardForwarder(
        kube, "default", "demo", "demo-head-svc", port=0, progress=lines.append, reconnect_timeout=10
    )
    forwarder.start()
    try:
        with urllib.request.urlopen(forwarder.url + "api/version", timeout=5) as response:
            assert response.headers["Content-Type"] == "text/html"
            assert b"ray" in response.read()
        wait_until(lambda: forwarder.head_name is not None)
        old = forwarder.head_name
        # The head pod is replaced: the Service has no endpoint until the new pod is ready.
        down["now"] = True
        pod = emu.cluster.get("v1", "Pod", "default", old)
        emu.cluster.delete("v1", "Pod", "default", old)
        pod["metadata"] = {"name": "demo-head-new", "namespace": "default", "labels": pod["metadata"]["labels"]}
        pod.pop("status", None)
        emu.cluster.create(pod)

        def recover() -> None:
            down["now"] = False
            emu.cluster.patch_status(
                "v1",
                "Pod",
                "default",
                "demo-head-new",
                {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
            )

        import threading

        threading.Timer(0.5, recover).start()
        with urllib.request.urlopen(forwarder.url + "jobs", timeout=10) as response:
            assert response.status == 200
        assert forwarder.head_name == "demo-head-new" and forwarder.restarts == 1
        assert any("head pod changed to demo-head-new" in line for line in lines)
    finally:
        forwarder.stop()


def test_port_forward_command_serves_the_dashboard_locally(ray_emulator: Callable[..., Any]) -> None:
    import signal

    emu = ray_emulator()
    assert (
        invoke("ray", "cluster", "create", "demo", "--worker-replicas", "0", "--wait", "--timeout", "20s").exit_code
        == 0
    )
    emu.register_service_proxy(
        "default", "demo-head-svc", 8265, lambda m, p, b: (200, {"Content-Type": "text/plain"}, b"ray ok")
    )
    process = start("ray", "dashboard", "demo", "--port-forward", "--port", "0")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/version", timeout=10) as response:
            assert response.read() == b"ray ok"
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
        assert process.returncode == 130
    finally:
        stop(process)


def test_port_forward_on_a_busy_port_is_one_clear_line(ray_emulator: Callable[..., Any]) -> None:
    import socket

    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke("ray", "dashboard", "demo", "--port-forward", "--port", str(port))
    assert result.exit_code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "hint: pass another --port, or --port 0 for a free one" in result.stderr
