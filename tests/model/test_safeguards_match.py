"""akscli.kube.safeguards applies a probes constraint's ``spec.match`` as Gatekeeper's validation
target does (open-policy-agent/gatekeeper pkg/target/matcher.go -> pkg/mutation/match/match.go
Matches: kindsMatch, scopeMatch, namespacesMatch, excludedNamespacesMatch, labelSelectorMatch,
namespaceSelectorMatch, namesMatch) before it predicts a refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import safeguards
from tests.cli import invoke
from tests.emulators.kube.gatekeeper import install_probes_safeguard, probes_constraint
from tests.model.test_safeguards_probes_constraint import FakeKube, deployment, templates


def with_match(**match: Any) -> dict[str, Any]:
    obj = probes_constraint()
    obj["spec"]["match"].update(match)
    return obj


def labelled(labels: dict[str, str]) -> dict[str, Any]:
    obj = deployment({})
    obj["spec"]["template"]["metadata"] = {"labels": labels}
    return obj


def test_a_label_selector_the_pods_labels_do_not_meet_refuses_nothing() -> None:
    kube = FakeKube(with_match(labelSelector={"matchLabels": {"safeguarded": "yes"}}))
    assert safeguards.check(kube, templates(labelled({"app": "x"}))) == []  # type: ignore[arg-type]


def test_a_label_selector_the_pods_labels_meet_refuses() -> None:
    kube = FakeKube(with_match(labelSelector={"matchExpressions": [{"key": "app", "operator": "In", "values": ["x"]}]}))
    with pytest.raises(errors.CheckFailedError, match="has no <readinessProbe>"):
        safeguards.check(kube, templates(labelled({"app": "x"})))  # type: ignore[arg-type]


def test_a_namespace_selector_is_matched_against_the_namespaces_labels() -> None:
    kube = FakeKube(with_match(namespaceSelector={"matchLabels": {"tier": "prod"}}))
    found = templates(deployment({}))
    assert safeguards.check(kube, found, {"models": {"tier": "dev"}}) == []  # type: ignore[arg-type]
    with pytest.raises(errors.CheckFailedError):
        safeguards.check(kube, found, {"models": {"tier": "prod"}})  # type: ignore[arg-type]


def test_a_cluster_scoped_constraint_never_matches_pods() -> None:
    kube = FakeKube(with_match(scope="Cluster"))
    assert safeguards.check(kube, templates(deployment({}))) == []  # type: ignore[arg-type]


def test_a_kinds_entry_with_no_api_groups_matches_pods() -> None:
    # kindsMatch: len(kk.APIGroups) == 0 matches every group
    kube = FakeKube(with_match(kinds=[{"kinds": ["Pod"]}]))
    with pytest.raises(errors.CheckFailedError):
        safeguards.check(kube, templates(deployment({})))  # type: ignore[arg-type]


def test_a_kinds_entry_for_deployments_only_does_not_match_pods() -> None:
    kube = FakeKube(with_match(kinds=[{"apiGroups": ["apps"], "kinds": ["Deployment"]}]))
    assert safeguards.check(kube, templates(deployment({}))) == []  # type: ignore[arg-type]


def test_a_name_glob_is_matched_against_a_bare_pods_name() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "debug-shell", "namespace": "models"},
        "spec": {"containers": [{"name": "sh", "image": "busybox:1.36"}]},
    }
    assert safeguards.check(FakeKube(with_match(name="web-*")), templates(pod)) == []  # type: ignore[arg-type]
    with pytest.raises(errors.CheckFailedError, match="Container <sh>"):
        safeguards.check(FakeKube(with_match(name="debug-*")), templates(pod))  # type: ignore[arg-type]


def test_apply_sends_a_deployment_whose_namespace_the_selector_leaves_out(
    kube_emulator: Any, kubeconfig: Any, tmp_path: Path
) -> None:
    # the constraint covers only namespaces labelled tier=prod; "models" is tier=dev
    constraint = install_probes_safeguard(kube_emulator)
    constraint["spec"]["match"]["namespaceSelector"] = {"matchLabels": {"tier": "prod"}}
    kube_emulator.cluster.update(constraint)
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "models", "labels": {"tier": "dev"}}}
    )
    path = tmp_path / "app.yaml"
    app = labelled({"app": "app"})
    app["spec"]["selector"] = {"matchLabels": {"app": "app"}}
    path.write_text(json.dumps(app), encoding="utf-8")
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "models", "app") is not None
