"""``ray service deploy``'s plan says when KubeRay leaves a RayService's clusters as they are.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go
reconcileRayCluster (a named pending cluster without its object is created from the spec then),
shouldUpdateCluster and shouldPrepareNewCluster (both compare each cluster's hash annotation, made
from the spec it was built from, with the goal spec); utils/util.go
GenerateHashWithoutReplicasAndWorkersToDelete (replicas, minReplicas and maxReplicas are left out).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli.ray import plan_notes
from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import RAY, _serve_file, _status, wait_until


def _serving(ray_emulator: Callable[..., Any], tmp_path: Path) -> tuple[Any, Path, str]:
    emu = ray_emulator()
    serve = _serve_file(tmp_path)
    deployed = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "-y", "--wait", "--timeout", "20s")
    assert deployed.exit_code == 0, deployed
    return emu, serve, _status(emu)["activeServiceStatus"]["rayClusterName"]


def test_the_plan_says_kuberay_leaves_the_serving_cluster_at_its_size_when_only_replicas_change(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    _, serve, active = _serving(ray_emulator, tmp_path)
    shown = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--worker-replicas", "2", "--dry-run=server")
    assert shown.exit_code == 0, shown
    said = (
        f"KubeRay leaves active Ray cluster {active} at its current size: a change of only replicas, minReplicas "
        "or maxReplicas is not in the spec hash it compares; scale it now with: "
        f"akscli ray cluster scale {active} -n default --group default-group --replicas 2 --min 2 --max 2"
    )
    assert said in shown.stdout, shown.stdout


def test_a_replicas_only_redeploy_leaves_the_serving_clusters_replicas_as_they_were(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # What the note says, as the simulator (after KubeRay's rule) does it.
    emu, serve, active = _serving(ray_emulator, tmp_path)
    again = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--worker-replicas", "2", "-y")
    assert again.exit_code == 0, again
    service = emu.cluster.get(RAY, "RayService", "default", "llm")
    wait_until(lambda: _status(emu).get("observedGeneration") == service["metadata"]["generation"])
    cluster = emu.cluster.get(RAY, "RayCluster", "default", active)
    assert cluster["spec"]["workerGroupSpecs"][0]["replicas"] == 1
    assert json.loads(invoke("ray", "service", "status", "llm", "-o", "json").stdout)["cluster"] == active


# The rule on its own: the stored RayService, a dry run's answer, and the clusters KubeRay made.


def _service(pool: str, replicas: int = 1, pending: str | None = None) -> dict[str, Any]:
    group = {"groupName": "gpu", "replicas": replicas, "minReplicas": replicas, "maxReplicas": replicas,
             "template": {"spec": {"nodeSelector": {"kubernetes.azure.com/agentpool": pool}}}}  # fmt: skip
    status = {"pendingServiceStatus": {"rayClusterName": pending}} if pending else {}
    return {
        "kind": "RayService",
        "metadata": {"name": "llm", "namespace": "ml"},
        "spec": {"rayClusterConfig": {"headGroupSpec": {}, "workerGroupSpecs": [group]}},
        "status": status,
    }


def test_a_pending_cluster_already_made_from_the_new_spec_gets_no_replacement_note() -> None:
    # The stored spec (gpuv100) was applied after the pending cluster was made (gpuh100), and
    # KubeRay has not seen it yet; applying gpuh100 again matches the cluster's own spec.
    made = _service("gpuh100")["spec"]["rayClusterConfig"]
    notes = plan_notes(_service("gpuv100", pending="llm-abcde"), _service("gpuh100"), lambda name: {"spec": made})
    assert notes == []


def test_a_pending_cluster_named_but_not_created_yet_is_made_from_the_new_spec() -> None:
    notes = plan_notes(_service("gpuh100", pending="llm-abcde"), _service("gpuv100"), lambda name: None)
    assert notes == ["KubeRay has not created pending Ray cluster llm-abcde yet: it makes it from this spec"]


def test_an_autoscaled_clusters_note_names_its_bounds_not_its_replicas() -> None:
    current = _service("gpuh100", pending="llm-abcde")
    current["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"] = True
    applied = _service("gpuh100", replicas=3)
    applied["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"] = True
    [note] = plan_notes(current, applied)
    assert note.endswith("akscli ray cluster scale llm-abcde -n ml --group gpu --min 3 --max 3"), note


def test_the_plan_goes_on_from_the_stored_spec_when_the_clusters_cannot_be_read(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu, serve, active = _serving(ray_emulator, tmp_path)
    emu.faults.add(verb="GET", path=rf"/rayclusters/{active}$", status=403, count=None)
    shown = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--worker-replicas", "2", "--dry-run=server")
    assert shown.exit_code == 0, shown
    assert f"KubeRay leaves active Ray cluster {active} at its current size" in shown.stdout, shown.stdout
