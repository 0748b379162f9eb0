"""A pod the API server refuses to a StatefulSet is told on the set (kubernetes/kubernetes
pkg/controller/statefulset/stateful_pod_control.go CreateStatefulPod, recordPodEvent), and the
set tries again later, rate-limited; once the namespace allows the pod, it is made."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import a_node, deployment

CAP = {
    "apiVersion": "v1",
    "kind": "LimitRange",
    "metadata": {"name": "cap", "namespace": "default"},
    "spec": {"limits": [{"type": "Container", "max": {"cpu": "1"}}]},
}


def refused_set(emu: KubeEmulator) -> None:
    """A set whose pod asks for more cpu than LimitRanger lets a container have."""
    a_node(emu)
    emu.cluster.create(CAP)
    sts = deployment("db", replicas=1)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    sts["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "2"}}
    emu.cluster.create(sts)


def failed(emu: KubeEmulator) -> list[dict[str, Any]]:
    events = emu.cluster.list("v1", "Event", "default")
    return [e for e in events if e["involvedObject"]["kind"] == "StatefulSet" and e["reason"] == "FailedCreate"]


def test_a_refused_pod_is_a_warning_event_on_the_set_in_the_api_servers_words(kube_emulator: KubeEmulator) -> None:
    refused_set(kube_emulator)
    assert wait_until(lambda: bool(failed(kube_emulator)))
    event = failed(kube_emulator)[0]
    assert event["type"] == "Warning"
    assert event["source"]["component"] == "statefulset-controller"
    assert event["message"].startswith('create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: ')
    assert event["message"].endswith("maximum cpu usage per Container is 1, but limit is 2")


def test_the_set_makes_the_pod_once_the_namespace_allows_it(kube_emulator: KubeEmulator) -> None:
    refused_set(kube_emulator)
    assert wait_until(lambda: bool(failed(kube_emulator)))
    kube_emulator.cluster.delete("v1", "LimitRange", "default", "cap")
    assert wait_until(lambda: kube_emulator.cluster.get("v1", "Pod", "default", "db-0") is not None)
