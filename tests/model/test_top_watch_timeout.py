"""`model top -w --request-timeout N` ends once N has run out, exit 0, as kubectl get -w
--request-timeout N does (upstream: kubernetes/client-go rest/transport.go HTTPClientFor bounds the
watch's body with http.Client.Timeout; kubernetes/kubectl pkg/cmd/get/get.go watch drops the closed
watch's error; the real kubectl against the emulator: tests/kube_emulator/test_kubectl_streams.py).
Before, -w ran until Ctrl-C whatever --request-timeout said."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.vllm import VllmMetrics

Start = Callable[..., Any]


def test_watch_ends_with_exit_0_once_the_request_timeout_has_run_out(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    emu.register_pod_proxy("default", "phi-4-0", 5000, VllmMetrics("phi-4", running=1).handler())
    result = invoke("model", "top", "phi-4", "-w", "--interval", "100ms", "--request-timeout", "1s")
    assert result.exit_code == 0, result
    assert result.stdout.count("phi-4-0") >= 2  # the first figures, then new ones until the end
    assert result.stderr == ""
