"""doctor's Gatekeeper row names akscli's own objects in other namespaces that break an enforced deny
constraint at its last audit (akscli.doctor.gatekeeper _ours_elsewhere): a violation whose object, or
an owner up its controller chain, is labelled ``app.kubernetes.io/managed-by: akscli``, with a
bounded number of GETs. The constraint is Azure/azure-policy built-in-references/Kubernetes/
container-no-privilege/constraint.yaml's with a status as open-policy-agent/gatekeeper
pkg/audit/manager.go StatusViolation writes it (tests/ops/test_policy_gatekeeper.py); the owner chain
is a Deployment's (kubernetes/kubernetes pkg/controller/deployment and replicaset set
``controller: true`` owner references)."""

from __future__ import annotations

from typing import Any

from akscli.doctor import gatekeeper as doctor_gatekeeper
from tests.ops.fakes import FakeReader
from tests.ops.test_policy_gatekeeper import pods_in, violation

POD = "web-7d9f8b6c5-x2k4p"


def owned(kind: str, api_version: str, name: str, owner: tuple[str, str, str] | None, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "models", "labels": labels}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": owner[0], "kind": owner[1], "name": owner[2], "controller": True}]
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def chain(**deployment_labels: str) -> list[dict[str, Any]]:
    """A Deployment's Pod, through its ReplicaSet, in namespace models."""
    return [
        owned("Deployment", "apps/v1", "web", None, **deployment_labels),
        owned("ReplicaSet", "apps/v1", "web-7d9f8b6c5", ("apps/v1", "Deployment", "web")),
        owned("Pod", "v1", POD, ("apps/v1", "ReplicaSet", "web-7d9f8b6c5")),
    ]


def constraint(*violations: dict[str, Any]) -> dict[str, Any]:
    return pods_in("models", totalViolations=len(violations), violations=list(violations))


def rows(*objects: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return list(doctor_gatekeeper.rows(FakeReader(*objects)))  # type: ignore[arg-type]


def test_a_pod_of_akscli_s_deployment_elsewhere_that_breaks_a_deny_constraint_is_named() -> None:
    [(_, status, detail, _fix)] = rows(
        constraint(violation(POD, "models")), *chain(**{"app.kubernetes.io/managed-by": "akscli"})
    )
    assert status == "not-ready"
    assert detail == (
        "akscli's own objects in other namespaces break deny constraints at their last audit (the webhook refuses "
        f"a create or update that still breaks them): K8sAzureContainerNoPrivilege/pods-models: Pod models/{POD} "
        f"(of Deployment models/web): Privileged container is not allowed: {POD}"
    )


def test_a_violation_elsewhere_of_an_object_akscli_does_not_manage_passes() -> None:
    [(_, status, detail, _fix)] = rows(constraint(violation(POD, "models")), *chain())
    assert status == "ok"
    assert detail == "1 constraint(s), 1 in deny; none found violations in namespace default at its last audit"


def test_the_reads_are_bounded_and_what_is_left_is_counted() -> None:
    many = [violation(f"p{index}", "models") for index in range(doctor_gatekeeper.MAX_READS + 5)]
    [(_, status, detail, _fix)] = rows(constraint(*many))  # none of them exists: one GET each
    assert status == "ok"
    assert detail.endswith(
        f"; 5 violation(s) listed in other namespaces not checked (akscli reads at most {doctor_gatekeeper.MAX_READS})"
    )
