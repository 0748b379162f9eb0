"""A Failed phase of AI Runway's vllm or llmd provider that its Deployment controller still retries.

ai-runway/airunway b0d3fb77 providers/vllm/status.go and providers/llmd/status.go
mapConditionsToPhase (identical): Available True -> Running; Progressing False
ProgressDeadlineExceeded -> Failed with Progressing's message; Progressing True -> Deploying;
else Available False with a message -> Failed with Available's message. controller.go syncStatus
then sets Ready False ``DeploymentFailed`` and Reconcile requeues every RequeueInterval (30 s), so
the phase follows the Deployment.

The Deployment controller writes Available False (MinimumReplicasUnavailable, "Deployment does not
have minimum availability.") whenever fewer replicas are available than replicas - maxUnavailable
(kubernetes/kubernetes pkg/controller/deployment/sync.go calculateStatus), which is not an end:
the only final Progressing is False ProgressDeadlineExceeded (pkg/controller/deployment/progress.go
syncRolloutStatus; kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go). The other
Progressing values that are not True reach AI Runway's Available branch and read as Failed though
the controller goes on: False ``ReplicaSetCreateError`` (sync.go getNewReplicaSet: the ReplicaSet's
create refused, the error returned, so the Deployment is requeued and tried again), Unknown
``DeploymentPaused``/``DeploymentResumed`` (sync.go checkPausedConditions). akscli waits on those
and judges the Deployment itself (kaito.py model_deployment_with_members); the wait's --timeout ends
it where it never recovers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import Readiness
from akscli.kube.readiness.dynamo import RETRIED_REASON as DEPLOYMENT_FAILED

# The message Progressing False ProgressDeadlineExceeded carries (kubernetes/kubernetes
# pkg/controller/deployment/progress.go syncRolloutStatus: 'ReplicaSet %q has timed out progressing.',
# 'Deployment %q has timed out progressing.' before a ReplicaSet exists), and the one AI Runway puts in
# its place when it is empty (mapConditionsToPhase: "deployment timed out waiting for rollout").
_DEADLINE_MESSAGES = ("has timed out progressing.", "deployment timed out waiting for rollout")


def deadline_passed(message: str) -> bool:
    """Whether AI Runway's Failed message is the Deployment's ProgressDeadlineExceeded one."""
    return message.strip().endswith(_DEADLINE_MESSAGES)


def deployment_retries(provider: str, ready: Mapping[str, Any], message: str) -> Readiness | None:
    """Waiting, with reason DeploymentFailed, where a vllm or llmd model's (the caller's to say)
    Failed phase is its Deployment's Available False short of the progress deadline; None where it
    is not (another Ready reason, or the deadline passed, which is final)."""
    if ready.get("reason") != DEPLOYMENT_FAILED:
        return None
    why = message or str(ready.get("message") or "")
    if deadline_passed(message) or deadline_passed(str(ready.get("message") or "")):
        return None
    return Readiness(
        False,
        message=f"phase=Failed (Ready: {DEPLOYMENT_FAILED})"
        + (f": {why}" if why else "")
        + f"; AI Runway's {provider} provider reads its Deployment's Available=False as Failed, but the "
        "Deployment controller gives a rollout up only at its progress deadline (ProgressDeadlineExceeded)",
        reason=DEPLOYMENT_FAILED,
    )
