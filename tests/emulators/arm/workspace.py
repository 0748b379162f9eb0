"""An Azure Monitor workspace's Prometheus query endpoint on the emulator's loopback address.

Azure Monitor managed Prometheus answers PromQL at ``https://<workspace>.<region>.prometheus.monitor.azure.com``,
path ``/api/v1/query``, to a request with a Microsoft Entra bearer token for the resource
``https://prometheus.monitor.azure.com`` (upstream: MicrosoftDocs/azure-monitor-docs 24a14fa7
articles/azure-monitor/metrics/prometheus-api-promql.md, "Request a token" and "Instant queries").
A request without a token, with an unknown or expired one, or with one for another audience (ARM's,
another cloud's) is answered 401. The article publishes no body or header for that answer, so the
lab sends none: its clients read the status only (KEDA: "prometheus query api returned error.
status: 401", kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go ExecutePromQuery).

What it answers is not evaluated here: ``emu.prometheus_workspace`` is the kube emulator's
Prometheus server (tests/emulators/kube/controllers/prometheus_server.py PrometheusServer.handle),
which holds the series the lab's dcgm-exporters produced; the lab has one PromQL engine. The
workspace's host name reaches the loopback server through ``resolve_workspace`` (a test's name
resolution, and the throwaway certificate's ``*.<region>.prometheus.monitor.azure.com`` name).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from unittest import mock
from urllib.parse import urlencode

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

# The audience the article's token request names (resource=https://prometheus.monitor.azure.com).
AUDIENCE = "https://prometheus.monitor.azure.com"
# The workspace host tests use; the throwaway certificate names *.REGION.prometheus.monitor.azure.com.
REGION = "eastus"
WORKSPACE_HOST = f"akscli-lab-a1b2.{REGION}.prometheus.monitor.azure.com"

Response = tuple[int, dict[str, str], Any]


def query_endpoint(emu: ArmEmulator) -> str:
    """The workspace's query endpoint as `az monitor account show --query
    metrics.prometheusQueryEndpoint` prints it, with the emulator's port."""
    return f"https://{WORKSPACE_HOST}:{emu.port}"


def answer(
    emu: ArmEmulator, method: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
) -> Response:
    auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else ""
    claims = emu.tokens.get(token)
    if claims is None or str(claims["aud"]).rstrip("/") != AUDIENCE or claims["exp"] < time.time():
        return 401, {}, b""
    served = emu.prometheus_workspace
    if served is None:
        doc = {"status": "success", "data": {"resultType": "vector", "result": []}}
        return 200, {"Content-Type": "application/json"}, json.dumps(doc).encode()
    # The request's headers go on with it: the Content-Type says whether a POST's body is the form
    # (upstream: MicrosoftDocs/azure-monitor-docs articles/azure-monitor/metrics/prometheus-api-promql.md,
    # "Instant queries" POST example; prometheus_server.py PrometheusServer.handle).
    status, head, data = served(method, "/api/v1/query?" + urlencode(query, doseq=True), body, headers=headers)
    return status, dict(head), data


@contextmanager
def resolve_workspace(emu: ArmEmulator) -> Iterator[str]:
    """Within it, WORKSPACE_HOST resolves to the emulator's 127.0.0.1 (as DNS resolves the real
    one to Azure); yields the query endpoint."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == WORKSPACE_HOST else host, *args, **kwargs)

    with mock.patch("socket.getaddrinfo", getaddrinfo):
        yield query_endpoint(emu)
