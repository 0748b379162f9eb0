"""Raw HTTP access to the emulator for tests that check the wire format itself."""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


_contexts: dict[bytes, ssl.SSLContext] = {}


def _tls_context(ca_pem: bytes) -> ssl.SSLContext:
    # trusting only the emulator's CA (not the system store) keeps a handshake at ~1 ms
    ctx = _contexts.get(ca_pem)
    if ctx is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=ca_pem.decode())
        _contexts[ca_pem] = ctx
    return ctx


def connection(emu: KubeEmulator, timeout: float = 10.0) -> http.client.HTTPConnection:
    if emu.tls:
        ctx = _tls_context(emu.ca_pem or b"")
        return http.client.HTTPSConnection("127.0.0.1", emu.port, timeout=timeout, context=ctx)
    return http.client.HTTPConnection("127.0.0.1", emu.port, timeout=timeout)


def raw(
    emu: KubeEmulator,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    token: str | None = "default",
    headers: dict[str, str] | None = None,
) -> Response:
    conn = connection(emu)
    h = {"Accept": "application/json", **(headers or {})}
    if token == "default":
        token = emu.token
    if token:
        h["Authorization"] = f"Bearer {token}"
    data: bytes | None = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = content_type
    conn.request(method, path, body=data, headers=h)
    resp = conn.getresponse()
    out = Response(resp.status, resp.headers, resp.read())
    conn.close()
    return out


def api_client(emu: KubeEmulator, tmp_path: Any) -> Any:
    from kubernetes import config

    kc = emu.write_kubeconfig(tmp_path / "kubeconfig-client")
    return config.new_client_from_config(str(kc))


def configmap(
    name: str, labels: dict[str, str] | None = None, ns: str = "default", data: dict[str, str] | None = None
) -> dict[str, Any]:
    # no `labels: {}` where none are given: an empty map is not stored (apiserver_common.omit_empty_metadata),
    # and in an applied config it is a field of its own, owned by the manager
    meta: dict[str, Any] = {"name": name, "namespace": ns, **({"labels": labels} if labels else {})}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}}


def owner_ref(owner: dict[str, Any], uid: str | None = None, block: bool = False) -> dict[str, Any]:
    """An ownerReference to ``owner`` (``uid``: another uid, an owner that is gone; ``block``:
    blockOwnerDeletion, what a foreground delete of the owner waits for)."""
    ref = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": uid or owner["metadata"]["uid"],
    }
    return {**ref, "blockOwnerDeletion": True} if block else ref


def live(emu: KubeEmulator, name: str) -> dict[str, Any] | None:
    """ConfigMap ``name`` in default as the store holds it, or None once it is gone."""
    return emu.cluster.get("v1", "ConfigMap", "default", name)


def owned(name: str, *refs: dict[str, Any]) -> dict[str, Any]:
    """ConfigMap ``name`` in default with these ownerReferences."""
    cm = configmap(name)
    cm["metadata"]["ownerReferences"] = list(refs)
    return cm


def deployment(name: str, replicas: int = 2, image: str = "nginx:1.27", ns: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
        },
    }


def a_node(emu: KubeEmulator) -> None:
    """One Ready CPU node: a pod is Running and Ready only once a kubelet runs it, so a test that
    waits for a Deployment's, a StatefulSet's or a Job's pods needs one (on a cluster with no Node
    they stay Pending, "no nodes available to schedule pods": controllers/pods.py _make_pod)."""
    emu.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)


def kubectl_create(manifest: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """The real `kubectl create -f -` of ``manifest``, against the KUBECONFIG the `kubeconfig`
    fixture sets: how a validation test checks that kubectl prints the emulator's refusal as an
    API server's. The test is skipped where kubectl is not installed."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    return subprocess.run(
        ["kubectl", "create", "-f", "-"],
        input=json.dumps(manifest),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
