"""Kube: kubeconfig handling, namespaces, identity, watches and logs against the emulator."""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget, WatchExpired
from akscli.kube.connecting import connect


def test_kubeconfig_with_several_paths_finds_a_context_in_any_of_them(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = kube_emulator.write_kubeconfig(tmp_path / "a", context="one", namespace="ns-a")
    second = kube_emulator.write_kubeconfig(tmp_path / "b", context="two", namespace="ns-b")
    monkeypatch.setenv("KUBECONFIG", f"{first}{os.pathsep}{second}")
    kube = connect(KubeTarget(context="two"))
    assert (kube.context_name, kube.namespace) == ("two", "ns-b")


def test_namespace_comes_from_the_context_unless_given(kube_emulator: Any, tmp_path: Path) -> None:
    config = kube_emulator.write_kubeconfig(tmp_path / "c", namespace="ml")
    assert connect(KubeTarget(kubeconfig=str(config))).namespace == "ml"
    assert connect(KubeTarget(kubeconfig=str(config), namespace="other")).namespace == "other"


def test_identity_reads_token_claims_and_never_returns_the_token(kube_emulator: Any, tmp_path: Path) -> None:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    token = f"{part({'alg': 'none'})}.{part({'oid': 'o-1', 'upn': 'ana@contoso.com'})}.sig"
    if hasattr(kube_emulator, "add_token"):
        kube_emulator.add_token(token, "ana@contoso.com")
    config = kube_emulator.write_kubeconfig(tmp_path / "c", token=token)
    identity = connect(KubeTarget(kubeconfig=str(config))).identity()
    assert identity == {"oid": "o-1", "upn": "ana@contoso.com"}
    assert token not in json.dumps(identity)


def test_a_missing_object_is_none_and_a_missing_delete_is_false(kubeconfig: Path) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert kube.get("v1", "ConfigMap", "nope") is None
    assert kube.delete("v1", "ConfigMap", "nope") is None


def test_watch_streams_changes_after_a_resource_version(kubeconfig: Path, kube_emulator: Any) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    page = next(kube.list_pages("v1", "ConfigMap"))
    version = page["metadata"]["resourceVersion"]

    def later() -> None:
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "default"}}
        )

    threading.Timer(0.2, later).start()
    for event, obj in kube.watch("v1", "ConfigMap", resource_version=version, timeout_seconds=5):
        if event == "ADDED" and obj["metadata"]["name"] == "late":
            break
    else:
        pytest.fail("the watch ended without the ADDED event")


def test_a_too_old_resource_version_raises_watch_expired(kubeconfig: Path, kube_emulator: Any) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    for index in range(3):
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{index}", "namespace": "default"}}
        )
    if hasattr(kube_emulator, "compact"):
        kube_emulator.compact()
    else:
        pytest.skip("the emulator offers no compaction control")
    with pytest.raises(WatchExpired):
        for _ in kube.watch("v1", "ConfigMap", resource_version="1", timeout_seconds=2):
            pass


def test_pod_logs_stream_line_by_line(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]},
        }
    )
    kube_emulator.cluster.set_pod_logs("default", "p", "one\ntwo\nthree\n")
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert list(kube.logs("default", "p")) == ["one", "two", "three"]
    assert list(kube.logs("default", "p", tail_lines=1)) == ["three"]


def test_service_proxy_reaches_the_registered_handler(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"ports": [{"port": 8000}], "selector": {"app": "web"}},
        }
    )
    kube_emulator.register_service_proxy(
        "default",
        "web",
        8000,
        lambda method, path, body: (200, {"Content-Type": "text/plain"}, f"{method} {path}".encode()),
    )
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    status, body = kube.proxy("default", "web", 8000, "/v1/models")
    assert status == 200
    assert body.decode().startswith("GET ") and body.decode().endswith("v1/models")


def test_a_rejected_token_is_an_auth_error_with_a_hint(kube_emulator: Any, tmp_path: Path) -> None:
    config = kube_emulator.write_kubeconfig(tmp_path / "c", token="not-a-known-token")
    with pytest.raises(errors.AuthError) as caught:
        connect(KubeTarget(kubeconfig=str(config))).get("v1", "ConfigMap", "x")
    assert caught.value.hint
    assert "not-a-known-token" not in caught.value.message


def test_a_kubeconfig_that_is_not_yaml_is_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "config"
    broken.write_text("apiVersion: v1\nclusters: [\n")
    with pytest.raises(errors.UsageError) as caught:
        connect(KubeTarget(kubeconfig=str(broken)))
    assert "is not valid YAML" in caught.value.message
