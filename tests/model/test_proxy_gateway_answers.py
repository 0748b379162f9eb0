"""A 502 or 504 through the API server's service or pod proxy is one line with its exit code.

The API server's proxy reports its own failures as 503 (kubernetes/kubernetes
staging/src/k8s.io/apimachinery/pkg/util/proxy/transport.go, RoundTrip), so a 502 or 504 is the
backend's or a gateway's in front of it; its body (often an HTML page) is not the user's line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]

HTML = b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center>nginx</center>\n</body>\n</html>\n"


def _answering(status: int) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
    def handler(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "text/html"}, HTML

    return handler


def _deployed(model_emulator: Start) -> Any:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    return emu


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_model_test_reports_a_502_from_the_service_in_one_line_without_its_body(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    emu.register_service_proxy("default", "phi-4", 80, _answering(502))
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code == 1, result
    [line] = _error_lines(result.stderr)
    assert "HTTP 502 Bad Gateway" in line and "phi-4" in line
    assert "<html>" not in result.stderr and "nginx" not in result.stderr


def test_model_test_reports_a_504_from_the_service_as_a_timeout(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    emu.register_service_proxy("default", "phi-4", 80, _answering(504))
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code == 5, result
    [line] = _error_lines(result.stderr)
    assert "HTTP 504 Gateway Timeout" in line and "did not answer in time" in line
    assert "<html>" not in result.stderr


def test_model_top_reports_a_504_from_the_pod_proxy_as_a_timeout(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)
    emu.register_pod_proxy("default", "phi-4-0", 5000, _answering(504))
    result = invoke("model", "top", "phi-4", "--interval", "100ms")
    assert result.exit_code == 5, result
    [line] = _error_lines(result.stderr)
    assert "GET /metrics on pod default/phi-4-0 answered HTTP 504 Gateway Timeout" in line
    assert "<html>" not in result.stderr
