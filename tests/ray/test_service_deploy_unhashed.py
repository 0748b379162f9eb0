"""The plan says when KubeRay leaves a RayService's clusters as they are although the spec changed:
a change of only tolerations or schedulingGates (of any pod template), or of rayClusterConfig.suspend.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/utils/util.go
GenerateHashWithoutReplicasAndWorkersToDelete ("Mute tolerations and scheduling gates for all pod
templates. External controllers like Kueue may inject these fields"); rayservice_controller.go
rayClusterSpecForHashing (suspend left out), shouldUpdateCluster and shouldPrepareNewCluster (both act
only on a hash difference), modifyRayCluster (a cluster keeps its own suspend).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli import yamlio
from akscli.ray import plan_notes
from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import RAY, _serve_file, _status, wait_until

GPU_TAINT = {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}


def _service(active: str = "llm-abcde") -> dict[str, Any]:
    worker = {"containers": [{"name": "ray-worker", "image": "rayproject/ray:2.52.0"}]}
    group = {"groupName": "gpu", "replicas": 1, "minReplicas": 1, "maxReplicas": 1, "template": {"spec": worker}}
    head = {"template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]}}}
    return {
        "kind": "RayService",
        "metadata": {"name": "llm", "namespace": "ml"},
        "spec": {"rayClusterConfig": {"headGroupSpec": head, "workerGroupSpecs": [group]}},
        "status": {"activeServiceStatus": {"rayClusterName": active}},
    }


def _changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    applied = _service()
    edit(applied["spec"]["rayClusterConfig"])
    return applied


def _worker_tolerations(spec: dict[str, Any]) -> None:
    spec["workerGroupSpecs"][0]["template"]["spec"]["tolerations"] = [GPU_TAINT]


def test_a_tolerations_only_change_is_said_to_leave_the_cluster_as_it_is() -> None:
    current = _service()
    made = copy.deepcopy(current["spec"]["rayClusterConfig"])  # the spec KubeRay made the cluster from
    [note] = plan_notes(current, _changed(_worker_tolerations), lambda name: {"spec": made})
    assert note.startswith(
        "KubeRay leaves active Ray cluster llm-abcde as it is: a change of only tolerations of worker group gpu "
        "is not in the spec hash it compares"
    ), note
    assert "the change reaches a new cluster with the next change KubeRay does compare" in note


def test_a_scheduling_gate_on_the_head_is_said_to_leave_the_cluster_as_it_is() -> None:
    gated = _changed(lambda spec: spec["headGroupSpec"]["template"]["spec"].update(schedulingGates=[{"name": "x"}]))
    [note] = plan_notes(_service(), gated)
    assert "a change of only schedulingGates of the head is not in the spec hash" in note, note


def test_tolerations_changed_with_a_field_kuberay_compares_get_no_such_note() -> None:
    def both(spec: dict[str, Any]) -> None:
        _worker_tolerations(spec)
        spec["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["image"] = "rayproject/ray:2.53.0"

    assert not [n for n in plan_notes(_service(), _changed(both)) if "as it is" in n]


def test_tolerations_kueue_put_on_the_cluster_are_no_change_of_the_users() -> None:
    # The cluster's own spec has a toleration the RayService never had; the apply changes nothing.
    cluster_spec = copy.deepcopy(_service()["spec"]["rayClusterConfig"])
    _worker_tolerations(cluster_spec)
    assert plan_notes(_service(), _service(), lambda name: {"spec": cluster_spec}) == []


def test_a_suspend_in_the_cluster_config_names_the_services_own_suspend() -> None:
    [note] = plan_notes(_service(), _changed(lambda spec: spec.update(suspend=True)))
    assert note == (
        "KubeRay leaves active Ray cluster llm-abcde as it is: rayClusterConfig.suspend reaches a cluster only "
        "when KubeRay creates it; to suspend the service, set the RayService's own spec.suspend"
    )


def test_apply_of_a_tolerations_only_change_plans_the_note_and_kuberay_leaves_the_cluster(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    serve = _serve_file(tmp_path)
    manifest = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--dry-run=client", "-o", "yaml")
    assert manifest.exit_code == 0, manifest
    first = tmp_path / "rayservice.yaml"
    first.write_text(manifest.stdout)
    assert invoke("apply", "-f", str(first), "-y", "--wait", "--timeout", "20s").exit_code == 0
    active = _status(emu)["activeServiceStatus"]["rayClusterName"]
    changed = yamlio.load(manifest.stdout, "manifest")
    _worker_tolerations(changed["spec"]["rayClusterConfig"])
    second = tmp_path / "tolerating.yaml"
    second.write_text(yamlio.dump(changed))
    planned = invoke("apply", "-f", str(second), "--dry-run=server")
    assert planned.exit_code == 0, planned
    assert f"KubeRay leaves active Ray cluster {active} as it is: a change of only tolerations of worker group" in (
        planned.stdout
    ), planned.stdout
    # What the note says, as the simulator (after KubeRay's hash) does it.
    assert invoke("apply", "-f", str(second), "-y").exit_code == 0
    generation = emu.cluster.get(RAY, "RayService", "default", "llm")["metadata"]["generation"]
    wait_until(lambda: _status(emu).get("observedGeneration") == generation)
    cluster = emu.cluster.get(RAY, "RayCluster", "default", active)
    assert "tolerations" not in cluster["spec"]["workerGroupSpecs"][0]["template"]["spec"]
    assert _status(emu)["activeServiceStatus"]["rayClusterName"] == active
