"""`--prune` lists the kinds the stack records (akscli.kube.stack_kinds), not every kind akscli
creates: a stack of ConfigMaps is not looked for among NodePools, Workspaces or RayClusters."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from akscli.cli.common import apply_objects
from akscli.kube.client import KubeTarget
from akscli.kube.stack_kinds import ANNOTATION, parse, text
from tests.foundation.test_apply import config_map, deployment


def apply(kubeconfig: Path, objects: list[dict[str, Any]], **kwargs: Any) -> None:
    apply_objects(
        copy.deepcopy(objects), stack="demo", target=KubeTarget(kubeconfig=str(kubeconfig)), yes=True, **kwargs
    )


def prune_lists(emu: Any) -> list[str]:
    """The labelled lists --prune sends: every namespace, the stack's label."""
    return [
        e.path
        for e in emu.request_log
        if e.method == "GET"
        and e.query.get("labelSelector") == ["akscli.io/stack=demo"]
        and "/namespaces/" not in e.path
    ]


def test_a_prune_of_a_recorded_stack_lists_only_the_kinds_it_records(kubeconfig: Path, kube_emulator: Any) -> None:
    apply(kubeconfig, [config_map("a"), config_map("b")], prune=True)
    kube_emulator.request_log.clear()
    apply(kubeconfig, [config_map("a")], prune=True)
    assert prune_lists(kube_emulator) == ["/api/v1/configmaps"]
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "b") is None


def test_a_stack_without_a_record_is_still_pruned_of_every_kind_akscli_creates(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    apply(kubeconfig, [config_map("a"), deployment()])  # no --prune: no record
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert ANNOTATION not in (stored["metadata"].get("annotations") or {})
    apply(kubeconfig, [config_map("a")], prune=True)
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is None


def test_a_kind_the_render_drops_is_still_pruned_through_the_record(kubeconfig: Path, kube_emulator: Any) -> None:
    apply(kubeconfig, [config_map("a"), deployment()], prune=True)
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert stored["metadata"]["annotations"][ANNOTATION] == "ConfigMap.v1,Deployment.v1.apps"
    apply(kubeconfig, [config_map("a")], prune=True)
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is None


def test_the_record_drops_a_kind_once_a_prune_finds_nothing_of_it_left(kubeconfig: Path, kube_emulator: Any) -> None:
    # The apply that prunes the Deployment still records its kind (kubectl's ApplySet: the superset
    # before the prune), in case the prune fails half way; the next one finds none and drops it.
    apply(kubeconfig, [config_map("a"), deployment()], prune=True)
    apply(kubeconfig, [config_map("a")], prune=True)
    apply(kubeconfig, [config_map("a")], prune=True)
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert stored["metadata"]["annotations"][ANNOTATION] == "ConfigMap.v1"


def test_an_apply_without_prune_keeps_the_kinds_its_stack_recorded(kubeconfig: Path, kube_emulator: Any) -> None:
    apply(kubeconfig, [config_map("a"), deployment()], prune=True)
    apply(kubeconfig, [config_map("a")])  # the Deployment stays, so its kind stays recorded
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert stored["metadata"]["annotations"][ANNOTATION] == "ConfigMap.v1,Deployment.v1.apps"
    apply(kubeconfig, [config_map("a")], prune=True)
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is None


def test_a_record_names_each_kind_with_its_version_and_group() -> None:
    assert text(("karpenter.sh/v1", "NodePool")) == "NodePool.v1.karpenter.sh"
    assert parse("NodePool.v1.karpenter.sh,ConfigMap.v1") == [("karpenter.sh/v1", "NodePool"), ("v1", "ConfigMap")]
