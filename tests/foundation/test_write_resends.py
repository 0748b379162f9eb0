"""Which writes akscli sends to the API server again after an answer that does not say whether the
first was applied: no more than client-go does for a write that is not idempotent. client-go sends
a request again only on a 429 or 5xx with Retry-After (kubernetes/client-go rest/with_retry.go
``checkWait``), and a dropped connection only for a GET (rest/request.go ``request``: "We are not
automatically retrying "write" operations, as they are not idempotent"). akscli also sends again a
server-side apply, a merge patch, a DELETE and a named create (akscli.kube.client ``_resend_safe``);
a Retry-After is waited with bounded jitter on top. Waits are recorded, never slept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import client as kube_client
from akscli.kube import retry
from akscli.kube.client import KubeTarget, RetryPolicy
from akscli.kube.connecting import connect

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"}}
POLICY = RetryPolicy(attempts=4, base_delay=0.5, max_delay=10.0, deadline=60)


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(retry, "sleep", waited.append)
    monkeypatch.setattr(kube_client, "DEFAULT_RETRY", POLICY)
    return waited


def _kube(kubeconfig: Path) -> Any:
    return connect(KubeTarget(kubeconfig=str(kubeconfig)))


def _sent(kube_emulator: Any, method: str, path: str) -> list[int]:
    return [r.status for r in kube_emulator.requests(method, path)]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_create_from_a_generate_name_answered_5xx_without_retry_after_is_sent_once(
    kubeconfig: Path, kube_emulator: Any, status: int
) -> None:
    kube_emulator.faults.add(verb="POST", path=r"/configmaps$", status=status, count=1)
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "run-", "namespace": "default"}}
    with pytest.raises(errors.AkscliError):
        _kube(kubeconfig).create(obj)
    assert _sent(kube_emulator, "POST", "/configmaps") == [status]


def test_a_create_from_a_generate_name_whose_connection_dropped_is_sent_once(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    kube_emulator.faults.add(verb="POST", path=r"/configmaps$", lose_response=True, count=1)
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "run-", "namespace": "default"}}
    with pytest.raises(errors.AkscliError):
        _kube(kubeconfig).create(obj)
    made = [
        o for o in kube_emulator.cluster.list("v1", "ConfigMap", "default") if o["metadata"]["name"].startswith("run-")
    ]
    assert len(made) == 1  # the first took: a second would have made another


def test_a_named_create_answered_503_without_retry_after_is_sent_again(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.faults.add(verb="POST", path=r"/configmaps$", status=503, count=1)
    assert _kube(kubeconfig).create(CM)["metadata"]["name"] == "settings"
    assert _sent(kube_emulator, "POST", "/configmaps") == [503, 201]


@pytest.mark.parametrize("content_type", ["application/json-patch+json", "application/strategic-merge-patch+json"])
def test_a_patch_that_is_not_idempotent_answered_500_is_sent_once(
    kubeconfig: Path, kube_emulator: Any, content_type: str
) -> None:
    kube = _kube(kubeconfig)
    kube.create(CM)
    patch: Any = [{"op": "add", "path": "/data", "value": {"a": "1"}}]
    if content_type.startswith("application/strategic"):
        patch = {"data": {"a": "1"}}
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=500, count=1)
    with pytest.raises(errors.AkscliError):
        kube.patch("v1", "ConfigMap", "settings", patch, namespace="default", content_type=content_type)
    assert _sent(kube_emulator, "PATCH", "/configmaps/settings") == [500]


def test_a_server_side_apply_answered_503_without_retry_after_is_sent_again(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=503, count=1)
    _kube(kubeconfig).apply(CM)
    assert _sent(kube_emulator, "PATCH", "/configmaps/settings") == [503, 201]


def test_a_merge_patch_answered_502_is_sent_again(kubeconfig: Path, kube_emulator: Any) -> None:
    kube = _kube(kubeconfig)
    kube.create(CM)
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=502, count=1)
    kube.patch("v1", "ConfigMap", "settings", {"data": {"a": "1"}}, namespace="default")
    assert _sent(kube_emulator, "PATCH", "/configmaps/settings") == [502, 200]


def test_a_create_answered_503_with_retry_after_waits_it_plus_bounded_jitter(
    kubeconfig: Path, kube_emulator: Any, waits: list[float]
) -> None:
    kube_emulator.faults.add(verb="POST", path=r"/configmaps$", status=503, retry_after=3, count=1)
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "run-", "namespace": "default"}}
    _kube(kubeconfig).create(obj)
    assert _sent(kube_emulator, "POST", "/configmaps") == [503, 201]
    assert len(waits) == 1 and 3.0 <= waits[0] <= 3.0 + POLICY.base_delay


def test_a_create_turned_away_by_flow_control_is_sent_again(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.faults.add(verb="POST", path=r"/configmaps$", flow_control=True, count=2)
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "run-", "namespace": "default"}}
    _kube(kubeconfig).create(obj)
    assert _sent(kube_emulator, "POST", "/configmaps") == [429, 429, 201]
