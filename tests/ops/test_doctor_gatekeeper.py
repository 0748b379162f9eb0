"""doctor's Gatekeeper row (akscli.doctor.gatekeeper): where Gatekeeper serves constraints, the
enforced deny constraints whose last audit found violations in the namespace akscli deploys to
without -n (the context's, ``default`` here); no row where Gatekeeper is absent. The constraints are
those of tests/ops/test_policy_gatekeeper.py (Azure/azure-policy built-in-references/Kubernetes/
container-no-privilege/constraint.yaml, audited as open-policy-agent/gatekeeper pkg/audit/manager.go
StatusViolation writes it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.gatekeeper import install_config
from tests.ops.test_policy_gatekeeper import add, pods_in, violation
from tests.ops.test_policy_gatekeeper_enforced import COMPILE_ERROR, WEBHOOK_POD

AUDITED = {"auditTimestamp": "2026-12-07T10:00:00Z", "totalViolations": 1, "violations": [violation("old", "default")]}


def row() -> dict[str, Any] | None:
    result = invoke("doctor", "-o", "json")
    found = [c for c in json.loads(result.stdout)["checks"] if c["component"] == "gatekeeper"]
    return found[0] if found else None


def test_a_cluster_without_gatekeeper_has_no_gatekeeper_row(kubeconfig: Path, kube_emulator: Any) -> None:
    assert row() is None


def test_a_deny_constraint_with_violations_in_the_namespace_is_a_warning_naming_it(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    add(kube_emulator, pods_in("default", **AUDITED))
    found = row()
    assert found is not None
    assert (found["status"], found["severity"]) == ("not-ready", "optional")
    assert found["detail"] == (
        "1 deny constraint(s) found violations in namespace default at their last audit: "
        "K8sAzureContainerNoPrivilege/pods-default (1 listed, e.g. Pod/old: Privileged container is not allowed: old)"
    )
    assert "--dry-run=server" in found["fix"]


def test_the_warning_blocks_no_command_group(kubeconfig: Path, kube_emulator: Any) -> None:
    add(kube_emulator, pods_in("default", **AUDITED))
    result = invoke("doctor", "--for", "model,ray")
    blocked = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert "gatekeeper" in result.stderr  # listed among the components found with gaps
    assert blocked and not any("gatekeeper" in line for line in blocked), result.stderr


def test_violations_in_other_namespaces_pass(kubeconfig: Path, kube_emulator: Any) -> None:
    add(kube_emulator, pods_in("other", totalViolations=1, violations=[violation("x", "other")]))
    found = row()
    assert found is not None and found["status"] == "ok"
    assert found["detail"] == "1 constraint(s), 1 in deny; none found violations in namespace default at its last audit"


def test_a_dryrun_constraint_with_violations_is_not_a_deny(kubeconfig: Path, kube_emulator: Any) -> None:
    add(kube_emulator, pods_in("default", action="dryrun", **AUDITED))
    found = row()
    assert found is not None and found["status"] == "ok"


def test_a_constraint_no_webhook_pod_enforces_is_not_a_deny(kubeconfig: Path, kube_emulator: Any) -> None:
    add(kube_emulator, pods_in("default", **AUDITED, byPod=[{**WEBHOOK_POD, "errors": [COMPILE_ERROR]}]))
    found = row()
    assert found is not None and found["status"] == "ok"
    assert "0 in deny" in found["detail"]


def test_a_namespace_the_webhook_skips_is_said_to_be_skipped(kubeconfig: Path, kube_emulator: Any) -> None:
    install_config(kube_emulator, ["default"], ["*"])
    add(kube_emulator, pods_in("default", **AUDITED))
    found = row()
    assert found is not None and found["status"] == "ok"
    assert found["detail"] == (
        "Gatekeeper's webhook skips namespace default (excluded from the webhook by Gatekeeper's Config "
        "(gatekeeper-system/config))"
    )


class _Forbidding:
    """Gatekeeper serves one constraint kind this user may not list."""

    namespace = "default"

    def served_kinds(self, api_version: str) -> list[str]:
        return ["K8sAzureContainerNoPrivilege"]

    def list(self, *args: Any, **kwargs: Any) -> Any:
        from akscli import errors

        raise errors.AuthError("forbidden")

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return None


def test_a_constraint_kind_this_user_may_not_list_is_unknown_and_named() -> None:
    from akscli.doctor import gatekeeper as doctor_gatekeeper

    [(_, status, detail, fix)] = list(doctor_gatekeeper.rows(_Forbidding()))  # type: ignore[arg-type]
    assert status == "unknown"
    assert detail.endswith("could not list K8sAzureContainerNoPrivilege (forbidden)")
    assert "list on constraints.gatekeeper.sh" in fix
