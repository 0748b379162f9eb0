"""`policy check --context` leaves out what Gatekeeper's webhook does not judge: a constraint no
webhook pod enforces (status.byPod: open-policy-agent/gatekeeper pkg/controller/constraintstatus/
constraintstatus_controller.go copies each pod's ConstraintPodStatus there; apis/status/v1beta1/
constraintpodstatus_types.go id, operations, enforced, errors; pkg/controller/constraint/
constraint_controller.go sets enforced only once the constraint is in the policy client) is listed
as not enforced, never as a deny; objects in a namespace the webhook skips (the
admission.gatekeeper.sh/ignore label, the Config's excludedNamespaces for the webhook process:
akscli.kube.safeguards Exemptions) are not listed at all, and the namespace is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.emulators.kube.gatekeeper import install_config
from tests.ops.test_policy_apply import web
from tests.ops.test_policy_gatekeeper import add, check, pod, pods_in

# The operations a pod runs (pkg/operations/operations.go); the audit pod and a webhook pod.
AUDIT_POD = {"id": "gatekeeper-audit-7c84869dbf-r6fnm", "operations": ["audit", "mutation-status", "status"]}
WEBHOOK_POD = {"id": "gatekeeper-controller-manager-6bcc7f8fb5-4nbkt", "operations": ["mutation-webhook", "webhook"]}
COMPILE_ERROR = {"code": "ingest_error", "message": "could not cache constraint: unknown constraint template"}


def by_pod(*pods: dict[str, Any]) -> dict[str, Any]:
    return {"byPod": list(pods)}


def test_a_constraint_no_webhook_pod_enforces_is_listed_as_not_enforced_with_its_error(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default", **by_pod({**WEBHOOK_POD, "errors": [COMPILE_ERROR]})))
    result = check(tmp_path, pod())
    assert (
        "K8sAzureContainerNoPrivilege/pods-default (deny: not enforced: could not cache constraint: unknown "
        "constraint template; the webhook judges nothing with it until that is fixed) selects pod/web"
    ) in result.stderr


def test_a_constraint_that_is_not_enforced_gets_no_dry_run_hint(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default", **by_pod({**WEBHOOK_POD, "errors": [COMPILE_ERROR]})))
    result = check(tmp_path, pod())
    assert "--dry-run=server" not in result.stderr


def test_the_audit_pod_enforcing_a_constraint_does_not_make_the_webhook_deny(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default", **by_pod({**AUDIT_POD, "enforced": True}, WEBHOOK_POD)))
    result = check(tmp_path, pod())
    assert "(deny: not enforced by Gatekeeper's webhook pods yet;" in result.stderr


def test_a_constraint_a_webhook_pod_enforces_is_a_deny(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    add(kube_emulator, pods_in("default", **by_pod(AUDIT_POD, {**WEBHOOK_POD, "enforced": True})))
    result = check(tmp_path, pod())
    assert "(deny: refuses what breaks it) selects pod/web" in result.stderr
    assert "--dry-run=server" in result.stderr


def test_objects_in_a_namespace_labelled_ignore_are_not_listed_and_the_namespace_is_named(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    labels = {"admission.gatekeeper.sh/ignore": "no-self-managing"}
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "infra", "labels": labels}}
    )
    add(kube_emulator, pods_in("infra"))
    deployment = web()
    deployment["metadata"]["namespace"] = "infra"
    result = check(tmp_path, deployment)
    assert "K8sAzureContainerNoPrivilege" not in result.stderr
    assert (
        "Gatekeeper's webhook skips namespace infra (labelled admission.gatekeeper.sh/ignore): "
        "no constraint judges what lands there"
    ) in result.stderr


def test_objects_in_a_namespace_the_config_excludes_from_the_webhook_are_not_listed(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    install_config(kube_emulator, ["kube-*", "default"], ["webhook"])
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, web())
    assert "K8sAzureContainerNoPrivilege" not in result.stderr
    assert "skips namespace default (excluded from the webhook by Gatekeeper's Config" in result.stderr


def test_a_namespace_the_config_excludes_only_from_audit_is_still_judged(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    install_config(kube_emulator, ["default"], ["audit"])
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, web())
    assert "K8sAzureContainerNoPrivilege/pods-default (deny" in result.stderr
    assert "skips namespace" not in result.stderr
