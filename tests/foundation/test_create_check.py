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
