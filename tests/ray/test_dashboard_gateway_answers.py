"""A 502 or 504 from the Ray dashboard through the API server's service proxy is one line with
its exit code (akscli.kube.reach.gateway_error, as `model` has it), never the answer's body.

The API server's service proxy relays the backend's own answer, status and body
(upstream: kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/proxy/upgradeaware.go,
ServeHTTP: an httputil.ReverseProxy whose ErrorHandler is the proxy's Responder), and reports its
own failures to reach a backend as 503 (proxy/transport.go, RoundTrip); so a 502 or 504 reaches
akscli from a gateway or server behind the head Service. The emulator's service proxy relays a
registered handler's status and body the same way (tests/emulators/kube/server_streams.py, _proxy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_states import completed_http_mode_job

HTML = b"<html>\n<head><title>50x</title></head>\n<body>\n<center>nginx</center>\n</body>\n</html>\n"
WORDS = {502: ("Bad Gateway", 1, "the server behind it failed"), 504: ("Gateway Timeout", 5, "did not answer in time")}


def _answering(status: int) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
    def handler(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "text/html"}, HTML

    return handler


def _one_gateway_line(result: Any, status: int) -> str:
    """The one error line of a command that met ``status`` from the dashboard, checked for the
    status's exit code and its reason in words."""
    _, code, why = WORDS[status]
    assert result.exit_code == code, result
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert why in line
    return line


@pytest.mark.parametrize("status", [502, 504])
def test_http_mode_job_logs_report_a_gateway_answer_in_one_line(ray_emulator: Callable[..., Any], status: int) -> None:
    emu = ray_emulator()
    found = completed_http_mode_job(emu)
    cluster, job_id = found["rayClusterName"], found["jobId"]
    emu.register_service_proxy("default", f"{cluster}-head-svc", 8265, _answering(status))
    result = invoke("ray", "job", "logs", "http")
    line = _one_gateway_line(result, status)
    assert line.startswith(
        f"error: GET /api/jobs/{job_id}/logs on the Ray dashboard of cluster {cluster} "
        f"(Service {cluster}-head-svc) answered HTTP {status} {WORDS[status][0]}: "
    )
    assert "<html>" not in result.stderr and "nginx" not in result.stderr


@pytest.mark.parametrize("status", [502, 504])
def test_stop_on_a_shared_cluster_reports_a_gateway_answer_in_one_line(
    ray_emulator: Callable[..., Any], status: int
) -> None:
    emu = ray_emulator(run_seconds=30)
    emu.register_service_proxy("default", "shared-head-svc", 8265, _answering(status))
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    job_id = job(emu, "long")["status"]["jobId"]
    result = invoke("ray", "job", "stop", "long", "-y")
    line = _one_gateway_line(result, status)
    assert line.startswith(
        f"error: POST /api/jobs/{job_id}/stop on the Ray dashboard of cluster shared "
        f"(Service shared-head-svc) answered HTTP {status} {WORDS[status][0]}: "
    )
    assert "<html>" not in result.stderr
