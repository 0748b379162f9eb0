"""The scale generator's DaemonSets start at steady state (tests/emulators/kube/generate_daemons.py):
a pod on every node the DaemonSet should run on, as kubernetes/kubernetes
pkg/controller/daemon/daemon_controller.go syncNodes makes them (owner reference, the revision's
controller-revision-hash, node affinity and nodeName, Running and Ready), the status its
updateDaemonSetStatus writes, and nothing left for the simulator to do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulators.kube.__main__ import build, build_args
from tests.emulators.kube.controllers.builtin import DaemonSetController
from tests.emulators.kube.controllers.daemon_history import HASH_LABEL
from tests.emulators.kube.controllers.daemon_pods import target_node
from tests.emulators.kube.emulator import KubeEmulator
from tests.emulators.kube.generate_daemons import create_at_steady_state
from tests.kube_emulator.test_daemon_pods import daemonset

NFD = ("gpu-operator", "gpu-operator-node-feature-discovery-worker")
NODES = 1_300  # 1,040 CPU nodes: past the 1,000 pods the simulator once stopped at


def _ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions") or [])


def _state(emu: KubeEmulator) -> tuple[list[tuple[str, str, str, str]], dict[str, Any], str]:
    pods = emu.cluster.list("v1", "Pod", NFD[0], label_selector="role=worker")
    ds = emu.cluster.get("apps/v1", "DaemonSet", *NFD)
    assert ds is not None
    rows = sorted(
        (p["metadata"]["name"], p["metadata"]["uid"], p["metadata"]["resourceVersion"], target_node(p)) for p in pods
    )
    return rows, ds, ds["metadata"]["resourceVersion"]


@pytest.fixture(scope="module")
def generated() -> Iterator[tuple[KubeEmulator, Any]]:
    """`python -m tests.emulators.kube --nodes 1300 --pods 2000`'s emulator, as built (not started)
    and its state then."""
    emu = build(build_args(nodes=NODES, pods=2_000))
    try:
        yield emu, _state(emu)
    finally:
        emu.stop()


def test_a_generated_cluster_is_built_with_a_daemon_pod_on_every_node_the_daemonset_runs_on(generated: Any) -> None:
    emu, (rows, ds, _) = generated
    # The NFD worker tolerates nvidia.com/gpu, not AKS's sku=gpu: it runs on the untainted CPU nodes.
    untainted = {n["metadata"]["name"] for n in emu.cluster.list("v1", "Node") if not n["spec"].get("taints")}
    assert len(untainted) == 1_040
    assert sorted(node for *_, node in rows) == sorted(untainted)  # one pod on each, none elsewhere
    status = ds["status"]
    assert status == {
        "observedGeneration": ds["metadata"]["generation"],
        "desiredNumberScheduled": 1_040,
        "currentNumberScheduled": 1_040,
        "updatedNumberScheduled": 1_040,
        "numberReady": 1_040,
        "numberAvailable": 1_040,
        "numberMisscheduled": 0,
    }


def test_the_seeded_pods_are_the_controllers_running_pods_of_its_current_revision(generated: Any) -> None:
    emu, (rows, ds, _) = generated
    revisions = emu.cluster.list("apps/v1", "ControllerRevision", NFD[0])
    assert len(revisions) == 1
    revision = revisions[0]["metadata"]["labels"][HASH_LABEL]
    pods = emu.cluster.list("v1", "Pod", NFD[0], label_selector="role=worker")
    assert len({p["metadata"]["uid"] for p in pods}) == len({p["metadata"]["name"] for p in pods}) == len(rows)
    for pod in pods:
        ref = pod["metadata"]["ownerReferences"]
        assert ref == [
            {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "name": NFD[1],
                "uid": ds["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        assert pod["metadata"]["labels"][HASH_LABEL] == revision
        assert pod["metadata"]["labels"]["pod-template-generation"] == "1"
        terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert terms == {
            "nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}
            ]
        }
        assert pod["status"]["phase"] == "Running" and _ready(pod)


def test_the_simulator_finds_nothing_to_do_once_the_seeded_cluster_runs(generated: Any) -> None:
    emu, before = generated
    emu.start()
    assert emu.idle(120)
    assert _state(emu) == before  # the cluster settles with no pod made or deleted
    # A sync of the DaemonSet (as a node event or a resync queues one): nothing to create, delete or write.
    [controller] = [c for c in emu.controllers.controllers if isinstance(c, DaemonSetController)]
    emu.controllers.schedule(controller, before[1], 0.0)
    assert emu.idle(300)
    assert _state(emu) == before
    assert not [e for e in emu.controllers.errors if "DaemonSet" in e]


def test_a_seeded_daemonsets_pods_go_with_it(kube_emulator: KubeEmulator) -> None:
    # The bulk-loaded copies are indexed by owner, as a created pod is: the garbage collector finds them.
    kube_emulator.generate_cluster(nodes=40, pods=0, gpu_fraction=0.0, variety=False)
    ds = create_at_steady_state(kube_emulator, daemonset("agent"))
    owned = kube_emulator.api.store.dependents_of(ds["metadata"]["uid"])
    assert len([key for bucket, key in owned if bucket == "/pods"]) == 40
    kube_emulator.cluster.delete("apps/v1", "DaemonSet", "default", "agent")
    assert kube_emulator.idle(30)
    assert not [
        p for p in kube_emulator.cluster.list("v1", "Pod", "default") if p["metadata"]["name"].startswith("agent-")
    ]


def test_a_new_node_the_daemonset_does_not_run_on_queues_no_sync_of_it(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # addNode enqueues only the DaemonSets whose pod the new node should run (kubernetes/kubernetes
    # pkg/controller/daemon/daemon_controller.go): a seeded 60,000-pod DaemonSet is not synced again
    # for a GPU node with a taint it does not tolerate.
    kube_emulator.generate_cluster(nodes=3, pods=0, gpu_fraction=0.0, variety=False)
    create_at_steady_state(kube_emulator, daemonset("agent"))
    assert kube_emulator.idle(30)
    [controller] = [c for c in kube_emulator.controllers.controllers if isinstance(c, DaemonSetController)]
    synced: list[str] = []
    reconcile = controller.reconcile
    monkeypatch.setattr(
        controller, "reconcile", lambda cluster, obj: (synced.append(obj["metadata"]["name"]), reconcile(cluster, obj))
    )
    tainted = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "gpu-0"}, "spec": {"taints": [tainted]}}
    )
    assert kube_emulator.idle(30)
    assert synced == []
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "cpu-9"}})
    assert kube_emulator.idle(30)
    assert synced == ["agent"]  # a node it should run on: synced, and its pod made
    assert (
        len(
            [
                p
                for p in kube_emulator.cluster.list("v1", "Pod", "default")
                if p["metadata"]["name"].startswith("agent-")
            ]
        )
        == 4
    )


def test_relabelling_a_bulk_loaded_node_queues_no_sync_where_its_daemon_pod_is_already_right(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # NFD's master labels every generated node once the chart is in: 60,000 first events of nodes the
    # controller never saw. A sync changes nothing for a node that already runs its pod, so none is
    # queued (updateNode compares what the node should run before and after; the pods stand for before).
    kube_emulator.generate_cluster(nodes=3, pods=0, gpu_fraction=0.0, variety=False)
    create_at_steady_state(kube_emulator, daemonset("agent"))
    assert kube_emulator.idle(30)
    [controller] = [c for c in kube_emulator.controllers.controllers if isinstance(c, DaemonSetController)]
    synced: list[str] = []
    reconcile = controller.reconcile
    monkeypatch.setattr(
        controller, "reconcile", lambda cluster, obj: (synced.append(obj["metadata"]["name"]), reconcile(cluster, obj))
    )
    [first, *_] = kube_emulator.cluster.list("v1", "Node")
    labels = {"feature.node.kubernetes.io/cpu-model.vendor_id": "Intel"}
    kube_emulator.cluster.patch("v1", "Node", None, first["metadata"]["name"], {"metadata": {"labels": labels}})
    assert kube_emulator.idle(30)
    assert synced == []
