"""A followed log whose connection is cut mid-stream (an API server restarting, a load balancer's
idle cut) ends as kubectl logs -f ends: the lines that came, then one error line, exit 1
(upstream: kubernetes/kubectl pkg/cmd/logs/logs.go DefaultConsumeRequest returns a read error other
than io.EOF; the real kubectl prints ``error: unexpected EOF`` against the emulator's cut,
tests/kube_emulator/test_kubectl_streams.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.model.test_logs_kubectl_flags import _deployed

Start = Callable[..., Any]


def test_a_follow_cut_mid_stream_prints_the_lines_then_one_error_line_exit_1(model_emulator: Start) -> None:
    emu = _deployed(model_emulator)  # a vLLM pod whose log says "INFO vLLM ready"
    [found] = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    pod = found["metadata"]["name"]
    emu.faults.add(verb="GET", path="/log$", drop_connection=True, in_stream=True)
    result = invoke("model", "logs", "phi-4", "-f")
    assert result.exit_code == 1, result
    assert result.stdout.strip() == "INFO vLLM ready"
    assert result.stderr.splitlines() == [
        f"error: the log stream of pod default/{pod} was cut: unexpected EOF (the connection to the API server "
        "closed mid-stream)",
        "hint: the lines above are all that arrived; run the command again to follow on (kubectl logs -f ends "
        "the same way)",
    ]
