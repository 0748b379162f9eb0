"""A watch bounded by --request-timeout is cut at the bound itself, as client-go's http.Client.Timeout
cuts kubectl's (kubernetes/client-go 32ce75a7 rest/transport.go HTTPClientFor, rest/request.go Watch's
client.Do; Go's Client.Timeout covers reading the body), even while its events keep coming. Before,
only a silence as long as the bound (the read timeout) or the server's end (timeoutSeconds, whole
seconds: 2 for 1.1s) ended it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}, "data": {"n": "0"}}


def test_a_busy_watch_is_cut_at_the_request_timeout(
    kube_emulator: Any, kubeconfig: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kube_emulator.cluster.create(dict(CM))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=1.1))
    done = threading.Event()

    def busy() -> None:  # a change every 0.1 s: the stream is never silent for the read timeout
        n = 0
        while not done.wait(0.1):
            n += 1
            kube_emulator.cluster.apply({**CM, "data": {"n": str(n)}})

    changer = threading.Thread(target=busy, daemon=True)
    changer.start()
    caplog.set_level(logging.DEBUG, logger="akscli.kube")
    try:
        events = list(kube.watch("v1", "ConfigMap", namespace="default", name="c", timeout_seconds=300))
    finally:
        done.set()
        changer.join()
    assert events  # it was busy
    assert "cut at --request-timeout 1.1s" in caplog.text
    (watch,) = kube_emulator.requests(verb="watch")
    assert watch.query["timeoutSeconds"] == ["2"]
