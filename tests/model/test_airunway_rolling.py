"""AI Runway's vllm provider leaves its Deployment on the default RollingUpdate (ai-runway/airunway
v0.7.0 providers/vllm/transformer.go buildDeployment sets no strategy; kubernetes/kubernetes
pkg/apis/apps/v1/defaults.go). A change on a node whose one GPU the old pod holds: the new pod
waits Pending beside the old one, which keeps serving (kubernetes/kubernetes
pkg/controller/deployment/rolling.go reconcileOldReplicaSets: no old pod goes while the new one is
unavailable and maxUnavailable of one replica is 0), and the ModelDeployment stays Running, as
AI Runway's status translator reads the Deployment's Available=True as Running before it looks at
Progressing, ProgressDeadlineExceeded included (ai-runway/airunway v0.7.0 providers/vllm/status.go
mapConditionsToPhase). akscli's own vLLM Deployment is Recreate and does not stall
(tests/model/test_redeploy_own_pods.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.builtin import DeploymentController
from tests.model.test_deploy_cluster_room import a100

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]


def deploy(*extra: str) -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", *extra, "-y")
    assert result.exit_code == 0, result


def phases(emu: Any) -> list[str]:
    """The phases of the model's pods (its Deployment's, named phi-4-<template hash>-<suffix>)."""
    pods = emu.cluster.list("v1", "Pod", "default")
    mine = [
        p for p in pods if p["metadata"]["name"].startswith("phi-4-") and not p["metadata"].get("deletionTimestamp")
    ]
    return sorted(p["status"]["phase"] for p in mine)


def rollout(emu: Any) -> readiness.Readiness:
    return readiness.check(emu.cluster.get("apps/v1", "Deployment", "default", "phi-4"))


def test_a_changed_vllm_provider_deployment_on_a_full_node_stalls_while_the_model_deployment_stays_running(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    deploy("--wait", "--timeout", "2m")
    deploy("--image", "vllm/vllm-openai:v0.10.2")
    assert wait_until(lambda: phases(emu) == ["Pending", "Running"], timeout=10)
    # The new pod is made before the Deployment's status says so (its next sync).
    assert wait_until(lambda: rollout(emu).message == "1 old replicas pending termination", timeout=10)
    [controller] = [c for c in emu.controllers.controllers if isinstance(c, DeploymentController)]
    controller.advance(601)

    def timed_out() -> bool:
        dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
        return readiness.check(dep).reason == "ProgressDeadlineExceeded"

    assert wait_until(timed_out, timeout=10)
    assert emu.idle(10.0)
    md = emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4")
    assert md["status"]["phase"] == "Running"
    assert phases(emu) == ["Pending", "Running"]
