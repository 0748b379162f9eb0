"""A ClusterPolicy's wait reads the states the GPU Operator writes (NVIDIA/gpu-operator a22dbf67
controllers/clusterpolicy_controller.go updateCRState: "ready" or "notReady", with the Error
condition internal/conditions/clusterpolicy.go sets beside it); none of them ends the wait."""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness

NOT_READY = "ClusterPolicy is not ready; states not ready: [state-driver gpu-feature-discovery]"


def policy(state: str | None, *conds: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = {"namespace": "gpu-operator", "conditions": list(conds)}
    if state is not None:
        status["state"] = state
    return {
        "apiVersion": "nvidia.com/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "cluster-policy"},
        "status": status,
    }


def cond(ctype: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {"type": ctype, "status": status, "reason": reason, "message": message}


def test_a_ready_cluster_policy_ends_the_wait() -> None:
    assert readiness.check(policy("ready", cond("Ready", "True", "Reconciled"))).ready


def test_a_not_ready_cluster_policy_waits_with_the_operators_error_message() -> None:
    verdict = readiness.check(
        policy("notReady", cond("Ready", "False", "Error"), cond("Error", "True", "OperandNotReady", NOT_READY))
    )
    assert (verdict.ready, verdict.failed) == (False, False)
    assert verdict.message == f"status.state=notReady: {NOT_READY}"
    assert verdict.reason == "OperandNotReady"


def test_a_cluster_policy_the_operator_never_reconciled_says_so() -> None:
    verdict = readiness.check(policy(None))
    assert (verdict.ready, verdict.failed) == (False, False)
    assert verdict.message.startswith("status.state=<unset>: the GPU Operator has not reconciled it")


def test_no_state_outside_what_the_operator_writes_ends_the_wait() -> None:
    # "failed" is in no gpu-operator release's State enum (api/nvidia/v1/clusterpolicy_types.go).
    verdict = readiness.check(policy("failed"))
    assert (verdict.ready, verdict.failed) == (False, False)
