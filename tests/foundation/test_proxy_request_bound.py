"""A request through the API server's service or pod proxy is bounded by --request-timeout on the client and
carries no ``timeout`` of akscli's: the proxy hands the request's whole query to the backend
(kubernetes/apimachinery pkg/util/proxy/upgradeaware.go ServeHTTP, ``loc.RawQuery = req.URL.RawQuery``),
proxy is long-running, so the API server does not read it (kubernetes/kubernetes
pkg/controlplane/apiserver/config.go BasicLongRunningRequestCheck), and client-go's ``query.Set("timeout",
...)`` would replace the backend's own: the Ray dashboard's state API reads ``timeout`` as whole seconds
(ray-project/ray python/ray/dashboard/state_api_utils.py options_from_req, ``int(req.query.get("timeout",
30))``), which "1m30s" would break. Checked in audit35 (wait35); both pass on c125dff4 too."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "head", "namespace": "default"},
    "spec": {"ports": [{"port": 8265}], "selector": {"app": "head"}},
}


def test_a_proxied_request_keeps_the_backends_own_timeout(kube_emulator: Any, kubeconfig: Path) -> None:
    seen: list[str] = []
    kube_emulator.cluster.create(dict(SERVICE))
    kube_emulator.register_service_proxy(
        "default", "head", 8265, lambda _m, path, _b: (seen.append(path), (200, {}, b"{}"))[1]
    )
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=90.0))
    assert kube.proxy("default", "head", 8265, "api/v0/tasks?limit=100&timeout=30")[0] == 200
    assert seen == ["/api/v0/tasks?limit=100&timeout=30"]


def test_a_proxied_request_is_bounded_by_the_request_timeout_on_the_client(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    def slow(_method: str, _path: str, _body: bytes) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.5)  # a backend slower than --request-timeout
        return 200, {}, b"{}"

    kube_emulator.cluster.create(dict(SERVICE))
    kube_emulator.register_service_proxy("default", "head", 8265, slow)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=0.3))
    with pytest.raises(errors.AkscliError) as timed_out:
        kube.proxy("default", "head", 8265, "api/jobs/")
    assert "did not answer within 0.3s" in timed_out.value.message
