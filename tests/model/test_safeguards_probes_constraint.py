"""akscli.kube.safeguards evaluates AKS Deployment Safeguards' probes constraint as its Gatekeeper
template does (Azure/draft b180ebcd pkg/safeguards/lib/manifests/v2.0.0/container-enforce-probes/
template.yaml) and matches namespaces as Gatekeeper does (open-policy-agent/gatekeeper dd8507eb
pkg/mutation/match/match.go, pkg/wildcard/wildcard.go)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli import errors
from akscli.kube import safeguards
from tests.emulators.kube.gatekeeper import probes_constraint

BOTH = {
    "readinessProbe": {"httpGet": {"path": "/health", "port": 8000}},
    "livenessProbe": {"httpGet": {"path": "/health", "port": 8000}},
}


class FakeKube:
    def __init__(self, *constraints: dict[str, Any], config: dict[str, Any] | None = None) -> None:
        self.constraints = list(constraints)
        self.config = config  # Gatekeeper's Config gatekeeper-system/config, None where there is none
        self.lists = 0
        self.listed: list[str] = []  # the constraint kinds listed
        self.gets: list[tuple[str, str, str, str | None]] = []

    def list(self, api_version: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
        assert api_version == "constraints.gatekeeper.sh/v1beta1"
        assert kind in ("K8sAzureV2ContainerEnforceProbes", "K8sAzureV2NoPrivilege")
        self.lists += 1
        self.listed.append(kind)
        yield from (c for c in self.constraints if c["kind"] == kind)

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        assert (api_version, kind) == ("config.gatekeeper.sh/v1alpha1", "Config")
        self.gets.append((api_version, kind, name, namespace))
        return self.config


def deployment(container: dict[str, Any], namespace: str = "models") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "app", "namespace": namespace},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1.0", **container}]}}},
    }


def templates(obj: dict[str, Any]) -> list[tuple[dict[str, Any], str, str, dict[str, Any]]]:
    from akscli.kube.podsecurity import pod_specs

    return [(obj, where, obj["metadata"]["namespace"], spec) for where, spec in pod_specs(obj)]


def test_a_template_with_both_probes_reads_no_constraint() -> None:
    kube = FakeKube(probes_constraint())
    assert safeguards.check(kube, templates(deployment(BOTH))) == []  # type: ignore[arg-type]
    assert kube.lists == 0


def test_a_missing_liveness_probe_is_refused_at_deny() -> None:
    kube = FakeKube(probes_constraint())
    only_ready = {"readinessProbe": BOTH["readinessProbe"]}
    with pytest.raises(errors.CheckFailedError) as refused:
        safeguards.check(kube, templates(deployment(only_ready)))  # type: ignore[arg-type]
    assert "Container <app> in your Pod has no <livenessProbe>" in refused.value.message
    assert "--excluded-ns models" in str(refused.value.hint)


def test_a_grpc_probe_alone_counts_as_missing() -> None:
    # the template's probe_type_set is tcpSocket, httpGet and exec
    grpc = {"readinessProbe": {"grpc": {"port": 9090}}, "livenessProbe": {"grpc": {"port": 9090}}}
    with pytest.raises(errors.CheckFailedError, match="has no <readinessProbe>"):
        safeguards.check(FakeKube(probes_constraint()), templates(deployment(grpc)))  # type: ignore[arg-type]


def test_init_containers_are_not_checked() -> None:
    obj = deployment(BOTH)
    obj["spec"]["template"]["spec"]["initContainers"] = [{"name": "init", "image": "busybox:1.36"}]
    assert safeguards.check(FakeKube(probes_constraint()), templates(obj)) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("pattern", ["models", "mod*", "*els", "*ode*"])
def test_excluded_namespaces_match_as_gatekeeper_wildcards(pattern: str) -> None:
    kube = FakeKube(probes_constraint(excluded=[pattern]))
    assert safeguards.check(kube, templates(deployment({}))) == []  # type: ignore[arg-type]


def test_a_namespace_outside_match_namespaces_is_not_covered() -> None:
    constraint = probes_constraint()
    constraint["spec"]["match"]["namespaces"] = ["team-*"]
    assert safeguards.check(FakeKube(constraint), templates(deployment({}))) == []  # type: ignore[arg-type]


def test_dryrun_is_audit_only_and_warn_warns() -> None:
    assert safeguards.check(FakeKube(probes_constraint(action="dryrun")), templates(deployment({}))) == []  # type: ignore[arg-type]
    (warning,) = safeguards.check(FakeKube(probes_constraint(action="warn")), templates(deployment({})))  # type: ignore[arg-type]
    assert "Deployment Safeguards warn: Container <app> in your Pod has no <readinessProbe>" in warning


def test_scoped_enforcement_takes_the_webhooks_action() -> None:
    constraint = probes_constraint(action="scoped")
    constraint["spec"]["scopedEnforcementActions"] = [
        {"action": "warn", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]},
        {"action": "deny", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]},
    ]
    with pytest.raises(errors.CheckFailedError):
        safeguards.check(FakeKube(constraint), templates(deployment({})))  # type: ignore[arg-type]


def test_an_unset_enforcement_action_denies() -> None:
    constraint = probes_constraint()
    del constraint["spec"]["enforcementAction"]
    with pytest.raises(errors.CheckFailedError):
        safeguards.check(FakeKube(constraint), templates(deployment({})))  # type: ignore[arg-type]


def test_a_rayjob_submitter_without_probes_is_refused_but_not_the_head() -> None:
    # KubeRay's default submitter has no probes (ray-project/kuberay common/job.go
    # GetDefaultSubmitterContainer); it adds both to the head and workers (common/pod.go)
    rayjob = {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "train", "namespace": "ray"},
        "spec": {"rayClusterSpec": {"headGroupSpec": {"template": {"spec": {"containers": [{"name": "ray-head"}]}}}}},
    }
    with pytest.raises(errors.CheckFailedError) as refused:
        safeguards.check(FakeKube(probes_constraint()), templates(rayjob))  # type: ignore[arg-type]
    assert "(submitter)" in refused.value.message
    assert "Container <ray-job-submitter>" in refused.value.message


def test_no_gatekeeper_means_nothing_to_check() -> None:
    class NoGatekeeper:
        def list(self, *_: Any, **__: Any) -> Iterator[dict[str, Any]]:
            raise errors.NotInstalledError("no constraints.gatekeeper.sh")

    assert safeguards.check(NoGatekeeper(), templates(deployment({}))) == []  # type: ignore[arg-type]
