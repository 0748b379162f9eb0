"""`--wait` is bounded by `--timeout`, not by `--request-timeout`: a wait whose watch stays quiet
for longer than the request timeout goes on, and ends when the object is ready. kubectl wait
watches through an informer, which opens its watch again from the last resourceVersion when the
stream ends (kubernetes/kubectl dee3483a pkg/cmd/wait/wait.go ``ContextWithOptionalTimeout`` on
--timeout; kubernetes/client-go tools/cache/reflector.go watch); akscli's watches carry their own
timeouts and its reflector opens them again the same way (akscli.kube.reflector.list_and_watch)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until

Start = Callable[..., Any]


def _pending_for_a_while_then_a_node_joins(emu: Any) -> None:
    """Once the scheduler has said the pod waits for a node, 2.5 s of quiet (past the 1 s request
    timeout: a watch bounded by it would be cut), then the node it waits for."""
    wait_until(
        lambda: any(
            c.get("type") == "PodScheduled" and c.get("status") == "False"
            for p in emu.cluster.list("v1", "Pod", "default")
            for c in (p.get("status") or {}).get("conditions") or []
        ),
        timeout=30,
    )
    time.sleep(2.5)
    emu.cluster.create(nc_a100_node())


def test_a_wait_outlasts_the_request_timeout_and_ends_when_the_model_is_ready(model_emulator: Start) -> None:
    emu = model_emulator()
    joins = threading.Thread(target=_pending_for_a_while_then_a_node_joins, args=(emu,))
    joins.start()
    try:
        result = invoke(
            "model",
            "deploy",
            "phi-4",
            "--runtime",
            "vllm",
            "--wait",
            "--timeout",
            "60s",
            "--request-timeout",
            "1s",
            "-y",
        )
    finally:
        joins.join()
    assert result.exit_code == 0, result
    assert "1/1 ready; deployment.apps/phi-4: ready, " in result.stderr
    assert "0/1 ready; deployment.apps/phi-4: " in result.stderr  # it waited for the node


def test_each_watch_of_a_wait_is_bounded_by_the_request_timeout_and_opened_again(model_emulator: Start) -> None:
    # kubectl wait --request-timeout 1s: each watch is cut after 1 s and watched again from the same
    # version (tests/kube_emulator/test_kubectl_streams.py, the real kubectl against the emulator).
    # Before, akscli's watch asked for the wait's whole time (timeoutSeconds 61) whatever --request-timeout said.
    emu = model_emulator()
    joins = threading.Thread(target=_pending_for_a_while_then_a_node_joins, args=(emu,))
    joins.start()
    try:
        flags = ("--wait", "--timeout", "60s", "--request-timeout", "1s", "-y")
        result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", *flags)
    finally:
        joins.join()
    assert result.exit_code == 0, result
    watches = [r for r in emu.requests(verb="watch") if "timeoutSeconds" in r.query]
    assert len(watches) >= 2  # the quiet 2.5 s outlasted one
    assert {r.query["timeoutSeconds"][0] for r in watches} == {"1"}
