"""`model deploy --runtime airunway --wait` after a change: AI Runway's vllm and llmd providers
report Running from their Deployment's Available condition alone (ai-runway/airunway b0d3fb77
providers/vllm/status.go and providers/llmd/status.go mapConditionsToPhase), which the old pod
keeps True while the changed Deployment rolls and after its progress deadline, so the phase said
ready while the old configuration served. The wait now also judges each Deployment the provider
made as `kubectl rollout status` does (kubernetes/kubectl
pkg/polymorphichelpers/rollout_status.go), and a Running or Failed phase only once AI Runway's
conditions are of the object's current generation (providers/*/controller.go setCondition)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from akscli.kube.wait import Waiter
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.deployment import DeploymentController
from tests.model.test_airunway_rolling import phases, rollout
from tests.model.test_deploy_cluster_room import a100

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
MD = "airunway.ai/v1alpha1"
NEW_IMAGE = "vllm/vllm-openai:v0.10.2"


def deploy(*extra: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", *extra, "-y")


def deployed(emu: Any) -> None:
    first = deploy("--wait", "--timeout", "2m")
    assert first.exit_code == 0, first


def unschedulable(emu: Any) -> bool:
    """Whether the scheduler has said why a pod of the model waits (PodScheduled False)."""
    return any(
        c.get("type") == "PodScheduled" and c.get("status") == "False"
        for p in emu.cluster.list("v1", "Pod", "default")
        if p["metadata"]["name"].startswith("phi-4-")
        for c in (p.get("status") or {}).get("conditions") or []
    )


def test_a_changed_model_whose_new_pod_cannot_start_times_out_naming_the_pod(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    deployed(emu)
    assert deploy("--image", NEW_IMAGE).exit_code == 0
    assert wait_until(lambda: rollout(emu).message == "1 old replicas pending termination", timeout=10)
    assert wait_until(lambda: unschedulable(emu), timeout=10)
    result = deploy("--image", NEW_IMAGE, "--wait", "--timeout", "3s")  # nothing left to change
    assert result.exit_code == 5, result
    assert "deployment.apps/phi-4 is still rolling out: 1 old replicas pending termination" in result.stderr
    assert "not scheduled: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu" in result.stderr
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["status"]["phase"] == "Running"  # what AI Runway says meanwhile


def test_a_wait_on_a_model_past_its_deployments_progress_deadline_fails_at_once(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    deployed(emu)
    assert deploy("--image", NEW_IMAGE).exit_code == 0
    assert wait_until(lambda: phases(emu) == ["Pending", "Running"], timeout=10)
    # The Deployment controller has synced the new generation: its deadline's clock runs from there.
    assert wait_until(lambda: rollout(emu).message == "1 old replicas pending termination", timeout=10)
    [controller] = [c for c in emu.controllers.controllers if isinstance(c, DeploymentController)]
    controller.advance(601)
    assert wait_until(lambda: rollout(emu).failed, timeout=10)
    started = time.monotonic()
    result = deploy("--image", NEW_IMAGE, "--wait", "--timeout", "60s")
    assert result.exit_code == 10, result
    assert time.monotonic() - started < 30
    assert "AI Runway's vllm provider's deployment.apps/phi-4 did not roll out and its old pods" in result.stderr
    assert "ProgressDeadlineExceeded" in result.stderr
    assert "Insufficient nvidia.com/gpu" in result.stderr  # the stuck pod, named


def test_a_changed_model_is_ready_only_once_its_new_pod_serves(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    emu.cluster.create(a100("a100-1"))
    deployed(emu)
    result = deploy("--image", NEW_IMAGE, "--wait", "--timeout", "2m")
    assert result.exit_code == 0, result
    pods = [
        p
        for p in emu.cluster.list("v1", "Pod", "default")
        if p["metadata"]["name"].startswith("phi-4-") and p["status"].get("phase") == "Running"
    ]
    images = {c["image"] for p in pods if not p["metadata"].get("deletionTimestamp") for c in p["spec"]["containers"]}
    assert images == {NEW_IMAGE}, images
    # AI Runway stamps what it wrote with the generation it read (setCondition, Reconcile).
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    generation = md["metadata"]["generation"]
    assert generation == 2 and md["status"]["observedGeneration"] == generation
    stamped = {c["type"]: c["observedGeneration"] for c in md["status"]["conditions"]}
    # ProviderSelected is set once, when status.provider is first recorded (modeldeployment_controller.go step 9).
    assert stamped.pop("ProviderSelected") == 1
    assert set(stamped.values()) == {generation}


def _model(generation: int, ready_generation: int, phase: str = "Running") -> dict[str, Any]:
    ready = {"type": "Ready", "status": "True" if phase == "Running" else "False", "reason": "DeploymentReady"}
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "uid": "u1", "generation": generation},
        "spec": {"provider": {"name": "vllm"}},
        "status": {
            "phase": phase,
            "observedGeneration": generation,  # the core controller's, set before the provider acts
            "conditions": [{**ready, "observedGeneration": ready_generation}],
        },
    }


def test_a_running_phase_from_the_previous_generation_is_not_ready() -> None:
    verdict = readiness.check(_model(generation=2, ready_generation=1))
    assert not verdict.ready
    assert (
        verdict.message
        == "waiting for AI Runway's provider to observe generation 2 (its Running phase is from generation 1)"
    )
    assert readiness.check(_model(generation=2, ready_generation=2)).ready


def test_a_failed_phase_from_the_previous_generation_does_not_end_the_wait() -> None:
    verdict = readiness.check(_model(generation=3, ready_generation=2, phase="Failed"))
    assert not verdict.ready and not verdict.failed
    assert readiness.check(_model(generation=3, ready_generation=3, phase="Failed")).failed


def _deployment(uid: str = "u1", updated: int = 1, total: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 2, "ownerReferences": [{"uid": uid}]},
        "spec": {"replicas": 1},
        "status": {"observedGeneration": 2, "replicas": total, "updatedReplicas": updated, "availableReplicas": 1},
    }


def test_only_the_deployments_this_model_deployment_owns_count() -> None:
    md = _model(generation=2, ready_generation=2)
    assert readiness.members_of(md) == ("apps/v1", "Deployment", "airunway.ai/deployment=phi-4")
    rolling = _deployment(updated=0, total=2)
    assert readiness.check_with_members(md, [rolling]).message.endswith("0 of 1 new replicas updated")
    # An old Deployment of the name, still another (deleted) ModelDeployment's, is not this one's.
    assert not readiness.check_with_members(md, [_deployment(uid="old")]).ready
    assert readiness.check_with_members(md, [_deployment()]).ready


class _Kube:
    """What a Waiter asks of the client before it follows anything, and one label-selected list."""

    namespace = "default"

    def __init__(self, listed: list[dict[str, Any]]) -> None:
        self.listed = listed
        self.lists: list[tuple[str, str | None]] = []

    def resource(self, *_: Any) -> Any:
        return type("Resource", (), {"namespaced": True})()

    def list(self, _api: str, kind: str, *, namespace: str | None, label_selector: str | None) -> Any:
        self.lists.append((kind, label_selector))
        return iter(copy.deepcopy(self.listed))


def test_a_model_made_ready_by_its_own_change_is_judged_again_on_its_deployments_as_listed_now() -> None:
    """The provider changes its Deployment, then writes Running: the Deployment's watch may not
    have delivered that change when the ModelDeployment's does, so the wait reads them again."""
    md = _model(generation=2, ready_generation=2)
    kube = _Kube(listed=[_deployment(updated=0, total=2)])
    waiter = Waiter(kube, [md], timeout=5)  # type: ignore[arg-type]
    key = (MD, "ModelDeployment", "default", "phi-4")
    waiter.members[key] = {"phi-4": _deployment()}  # the old, rolled-out Deployment as last watched
    assert waiter._verdict(key, md).ready
    waiter._update(key[:3], md)
    assert not waiter.states[key].readiness.ready
    assert kube.lists == [("Deployment", "airunway.ai/deployment=phi-4")]


def test_a_rollback_of_a_stalled_change_is_ready_once_the_pending_pod_is_gone(model_emulator: Start) -> None:
    """Back to revision 1, the Deployment's template is its old ReplicaSet's again: the Deployment
    controller scales the new one to 0 (kubernetes/kubernetes pkg/controller/deployment/rolling.go),
    and the wait ends only when no pod of the stalled change is left."""
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    deployed(emu)
    assert deploy("--image", NEW_IMAGE).exit_code == 0
    assert wait_until(lambda: rollout(emu).message == "1 old replicas pending termination", timeout=10)
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "--wait", "--timeout", "60s", "-y")
    assert result.exit_code == 0, result
    assert rollout(emu).ready
    assert phases(emu) == ["Running"]
