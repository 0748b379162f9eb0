"""The emulator's Priority admission: the classes every cluster has, and a pod's priority from its
class or the globalDefault one (upstream: kubernetes/kubernetes v1.34.0
plugin/pkg/admission/priority/admission.go admitPod; pkg/apis/scheduling/types.go
SystemPriorityClasses)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.status import ApiError

PC = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass"}


def pod(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "c"}], **spec},
    }


def test_every_cluster_has_the_system_priority_classes(kube_emulator: Any) -> None:
    values = {
        name: (kube_emulator.cluster.get("scheduling.k8s.io/v1", "PriorityClass", None, name) or {}).get("value")
        for name in ("system-cluster-critical", "system-node-critical")
    }
    assert values == {"system-cluster-critical": 2_000_000_000, "system-node-critical": 2_000_001_000}


def test_a_pod_without_a_class_gets_the_global_default_priority(kube_emulator: Any) -> None:
    kube_emulator.cluster.create({**PC, "metadata": {"name": "team"}, "value": 1000, "globalDefault": True})
    created = kube_emulator.cluster.create(pod("p"))
    assert (created["spec"]["priorityClassName"], created["spec"]["priority"]) == ("team", 1000)


def test_a_pod_without_a_class_or_a_global_default_gets_priority_0(kube_emulator: Any) -> None:
    created = kube_emulator.cluster.create(pod("p"))
    assert created["spec"]["priority"] == 0
    assert "priorityClassName" not in created["spec"]


def test_a_pod_naming_a_missing_class_is_forbidden(kube_emulator: Any) -> None:
    with pytest.raises(ApiError, match="no PriorityClass with name nope was found"):
        kube_emulator.cluster.create(pod("p", priorityClassName="nope"))


def test_a_pod_giving_another_priority_than_its_class_is_forbidden(kube_emulator: Any) -> None:
    with pytest.raises(ApiError, match=r"the integer value of priority \(5\) must not be provided"):
        kube_emulator.cluster.create(pod("p", priority=5))
