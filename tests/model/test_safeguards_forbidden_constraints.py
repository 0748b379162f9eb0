"""A user who may not list Gatekeeper's constraints is still judged by them: the webhook checks the
Pods whoever sends them (open-policy-agent/gatekeeper pkg/webhook/policy.go Handle reads the
constraints with Gatekeeper's own service account). Where akscli cannot read them, a template that
AKS's default safeguard would refuse is reported as may-refuse, never passed in silence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from akscli import errors
from akscli.kube import safeguards
from tests.model.test_safeguards_probes_constraint import FakeKube, deployment, templates

BOTH = {
    "readinessProbe": {"httpGet": {"path": "/", "port": 80}},
    "livenessProbe": {"httpGet": {"path": "/", "port": 80}},
}


class MayNotListConstraints(FakeKube):
    """RBAC: list on constraints.gatekeeper.sh is forbidden (403)."""

    def list(self, api_version: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
        self.listed.append(kind)
        raise errors.AuthError(f"{kind.lower()}.constraints.gatekeeper.sh is forbidden")


def test_a_template_without_probes_is_reported_as_may_refuse_when_the_constraints_cannot_be_listed() -> None:
    found = safeguards.check(MayNotListConstraints(), templates(deployment({})))  # type: ignore[arg-type]
    assert len(found) == 1
    assert "Deployment Safeguards may refuse its pods: Container <app> in your Pod has no <readinessProbe>" in found[0]
    assert "K8sAzureV2ContainerEnforceProbes constraint" in found[0] and "may not list (forbidden)" in found[0]


def test_a_privileged_template_is_reported_as_may_refuse_when_the_constraints_cannot_be_listed() -> None:
    privileged = deployment({**BOTH, "securityContext": {"privileged": True}})
    found = safeguards.check(MayNotListConstraints(), templates(privileged))  # type: ignore[arg-type]
    assert len(found) == 1 and "K8sAzureV2NoPrivilege constraint" in found[0]


def test_a_template_the_default_safeguards_pass_says_nothing_and_lists_nothing() -> None:
    kube = MayNotListConstraints()
    assert safeguards.check(kube, templates(deployment(BOTH))) == []  # type: ignore[arg-type]
    assert kube.listed == []


def test_gatekeepers_own_namespace_is_not_judged_so_nothing_is_said() -> None:
    found = safeguards.check(MayNotListConstraints(), templates(deployment({}, namespace="gatekeeper-system")))  # type: ignore[arg-type]
    assert found == []


def test_a_missing_safeguard_is_still_silence() -> None:
    # No constraint kind served (Gatekeeper or the safeguard absent): nothing judges the Pods.
    class NotInstalled(FakeKube):
        def list(self, api_version: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
            raise errors.NotInstalledError(f"{kind} is not served")

    assert safeguards.check(NotInstalled(), templates(deployment({}))) == []  # type: ignore[arg-type]
