"""A DaemonSet's template generation, as kube-apiserver keeps it and the DaemonSet controller uses
it: apps/v1 shows it as the annotation deprecated.daemonset.template.generation (1 on create, +1 per
template change, not settable by a client: kubernetes/kubernetes pkg/registry/apps/daemonset/
strategy.go PrepareForCreate, PrepareForUpdate; pkg/apis/apps/v1/conversion.go), each daemon pod
carries it as pod-template-generation (pkg/controller/daemon/util/daemonset_util.go
CreatePodTemplate), and a pod whose label matches it counts as updated (IsPodUpdated)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.daemon_pods import is_updated
from tests.kube_emulator.test_daemon_pods import daemonset
from tests.kube_emulator.test_scheduling import node, seed

ANNOTATION = "deprecated.daemonset.template.generation"


def agent(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "DaemonSet", "default", "agent") or {}


def generation(emu: KubeEmulator) -> str:
    return str(agent(emu)["metadata"]["annotations"][ANNOTATION])


def pod_generations(emu: KubeEmulator) -> list[str]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector="app=agent")
    live = [p for p in found if not p["metadata"].get("deletionTimestamp")]
    return sorted(p["metadata"]["labels"].get("pod-template-generation", "") for p in live)


def started(emu: KubeEmulator) -> KubeEmulator:
    seed(emu, node("node-0"), node("node-1"))
    emu.cluster.create(daemonset("agent"))
    assert wait_until(lambda: pod_generations(emu) == ["1", "1"])
    return emu


def set_image(emu: KubeEmulator, image: str) -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "main", "image": image}]}}}}
    emu.cluster.patch("apps/v1", "DaemonSet", "default", "agent", patch)


def test_a_new_daemonset_is_template_generation_1_and_its_pods_say_so(kube_emulator: KubeEmulator) -> None:
    emu = started(kube_emulator)
    assert generation(emu) == "1"


def test_a_template_change_raises_it_and_the_new_pods_carry_the_new_one(kube_emulator: KubeEmulator) -> None:
    emu = started(kube_emulator)
    set_image(emu, "nginx:1.28")
    assert generation(emu) == "2"
    assert wait_until(lambda: pod_generations(emu) == ["2", "2"])


def test_a_spec_change_outside_the_template_keeps_it(kube_emulator: KubeEmulator) -> None:
    emu = started(kube_emulator)
    emu.cluster.patch("apps/v1", "DaemonSet", "default", "agent", {"spec": {"minReadySeconds": 5}})
    assert agent(emu)["metadata"]["generation"] == 2
    assert generation(emu) == "1"


def test_a_client_cannot_set_it_on_update(kube_emulator: KubeEmulator) -> None:
    emu = started(kube_emulator)
    emu.cluster.patch("apps/v1", "DaemonSet", "default", "agent", {"metadata": {"annotations": {ANNOTATION: "7"}}})
    assert generation(emu) == "1"


def test_a_pod_of_the_current_template_generation_counts_as_updated_whatever_its_hash() -> None:
    pod = {"metadata": {"labels": {"controller-revision-hash": "old", "pod-template-generation": "3"}}}
    assert is_updated(pod, "new", "3")
    assert not is_updated(pod, "new", "2")
    assert not is_updated(pod, "new", None)
