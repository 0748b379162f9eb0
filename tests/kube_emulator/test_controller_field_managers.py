"""Each simulated operator writes as the field manager its real binary's writes get: the user
agent's text before the first "/" (kubernetes/apiserver pkg/endpoints/handlers/create.go
managerOrUserAgent, prefixFromUserAgent). KAITO's workspace controller sets its user agent to
"kaito-workspace/<version>" (kaito-project/kaito cmd/workspace/main.go); the kubelet's status
patches are "kubelet"."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_kaito_scheduling import state
from tests.kube_emulator.test_kaito_workload import _configured, emu  # noqa: F401 (the fixture)


def _writers(obj: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(m["manager"], m["operation"], m.get("subresource", "")) for m in obj["metadata"]["managedFields"]}


def test_kaitos_workspace_status_and_statefulset_are_the_kaito_workspace_manager(emu: KubeEmulator) -> None:  # noqa: F811
    emu.cluster.create(_configured())
    assert wait_until(lambda: state(emu) == "Ready")
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi") or {}
    assert ("kaito-workspace", "Update", "status") in _writers(ws)
    sts = emu.cluster.get("apps/v1", "StatefulSet", "default", "phi") or {}
    assert ("kaito-workspace", "Update", "") in _writers(sts)


def test_a_test_s_own_writes_stay_emulator_test(kube_emulator: KubeEmulator) -> None:
    made = kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}, "data": {"k": "v"}}
    )
    assert _writers(made) == {("emulator-test", "Update", "")}


def test_the_kubelets_status_patch_is_the_kubelet_manager(kube_emulator: KubeEmulator) -> None:
    pod = kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "main", "image": "busybox"}]},
        }
    )
    patched = kube_emulator.cluster.patch_pod_status(pod, {"phase": "Running"})
    assert ("kubelet", "Update", "status") in _writers(patched)


def test_a_replicasets_pods_are_made_by_kube_controller_manager(kube_emulator: KubeEmulator) -> None:
    # kubernetes/client-go rest/config.go AddUserAgent: "kube-controller-manager/<version> .../replicaset-controller"
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(lambda: len(kube_emulator.cluster.list("v1", "Pod", "default", "app=web")) == 1)
    [pod] = kube_emulator.cluster.list("v1", "Pod", "default", "app=web")
    assert ("kube-controller-manager", "Update", "") in _writers(pod)
