"""The check before a recreate (src/akscli/kube/create_check.py) against the Kubernetes emulator:
an object whose namespace the same command creates is dry-run created elsewhere, as the apply's
plan does (the NamespaceLifecycle admission plugin answers 404 for a namespace not there yet);
one in a namespace nobody creates is refused, naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.create_check import check_creates


def _config_map(namespace: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": namespace}}


def test_an_object_in_a_namespace_the_command_creates_is_checked_elsewhere(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
    cm = _config_map("team-a")
    assert check_creates(kube, [cm], stack="demo", rendered=[namespace, cm]) == []
    probes = [r for r in kube_emulator.request_log if r.method == "POST" and "dryRun" in r.query]
    assert [r.path for r in probes] == ["/api/v1/namespaces/team-a/configmaps", "/api/v1/namespaces/default/configmaps"]


def test_an_object_in_a_namespace_nobody_creates_is_refused_naming_it(kubeconfig: Path, kube_emulator: Any) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.NotFoundError) as caught:
        check_creates(kube, [_config_map("team-b")])
    assert caught.value.message.startswith("configmap/settings would be refused when created again")
    assert "nothing was deleted" in caught.value.message


def _workspace() -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "m", "namespace": "default"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4", "labelSelector": {"matchLabels": {"app": "m"}}},
        "inference": {"preset": {"name": "phi-4"}, "config": "m-inference-config"},
    }


def _inference_config(data: str) -> dict[str, Any]:
    meta = {"name": "m-inference-config", "namespace": "default"}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"inference_config.yaml": data}}


def _sent_configs(kube: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The inference.config of each object the check dry-run creates."""
    sent: list[Any] = []
    create = kube.create

    def recording(obj: Any, *, dry_run: bool = False) -> Any:
        sent.append((obj.get("inference") or {}).get("config"))
        return create(obj, dry_run=dry_run)

    monkeypatch.setattr(kube, "create", recording)
    return sent


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        (None, "once configmap/m-inference-config exists"),
        ("vllm: {}\n", "against the new configmap/m-inference-config when it is applied"),
    ],
)
def test_a_kaito_object_whose_configmap_the_command_sends_is_checked_without_the_reference(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch, stored: str | None, said: str
) -> None:
    # KAITO's webhook reads the ConfigMap as stored, and a dry run stores none
    # (akscli.kube.deferred_checks), so the check asks without it and says so.
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    if stored is not None:
        kube_emulator.cluster.create(_inference_config(stored))
    sent = _sent_configs(kube, monkeypatch)
    unchecked = check_creates(kube, [_workspace()], rendered=[_inference_config("vllm:\n  max-model-len: 4096\n")])
    assert sent == [None]
    assert len(unchecked) == 1 and unchecked[0].startswith("workspace.kaito.sh/m: KAITO checks its inference.config")
    assert said in unchecked[0]


def test_a_kaito_object_whose_configmap_is_stored_as_rendered_is_checked_with_it(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube_emulator.cluster.create(_inference_config("vllm:\n  max-model-len: 4096\n"))
    sent = _sent_configs(kube, monkeypatch)
    assert check_creates(kube, [_workspace()], rendered=[_inference_config("vllm:\n  max-model-len: 4096\n")]) == []
    assert sent == ["m-inference-config"]
