"""Where Gatekeeper's answer depends on what akscli cannot know before the Pod exists (a label
value a controller computes, the random part of a generated name), akscli says the probes safeguard
may act: a warning naming what it could not know, never a refusal, never silence. Where the known
part of a generated name decides, it decides (akscli.kube.pod_names names the upstream files)."""

from __future__ import annotations

from typing import Any

from akscli import errors
from akscli.kube import safeguards
from tests.emulators.kube.gatekeeper import probes_constraint
from tests.model.test_safeguards_controller_labels import expr, job, selecting
from tests.model.test_safeguards_probes_constraint import FakeKube, deployment, templates


def named(pattern: str) -> dict[str, Any]:
    obj = probes_constraint()
    obj["spec"]["match"]["name"] = pattern
    return obj


def outcome(kube: FakeKube, obj: dict[str, Any]) -> str | list[str]:
    """ "refused", or the warnings."""
    try:
        return safeguards.check(kube, templates(obj))  # type: ignore[arg-type]
    except errors.CheckFailedError:
        return "refused"


def test_an_in_requirement_on_pod_template_hash_is_reported_as_unknown_not_refused() -> None:
    found = outcome(FakeKube(selecting(**expr("pod-template-hash", "In", "abc"))), deployment({}))
    assert found != "refused"
    assert len(found) == 1
    assert "Deployment Safeguards may refuse its pods" in found[0]
    assert "label pod-template-hash, which a controller sets" in found[0]


def test_a_notin_requirement_on_a_jobs_controller_uid_is_reported_as_unknown_not_refused() -> None:
    found = outcome(FakeKube(selecting(**expr("controller-uid", "NotIn", "x"))), job())
    assert found != "refused" and "label controller-uid" in found[0]


def test_an_unknown_value_does_not_hide_a_requirement_the_pods_surely_fail() -> None:
    selector = {"matchLabels": {"pod-template-hash": "abc", "tier": "db"}}
    assert outcome(FakeKube(selecting(**selector)), deployment({})) == []


def test_a_warn_constraint_of_unknown_reach_says_it_may_warn() -> None:
    constraint = selecting(**expr("pod-template-hash", "In", "abc"))
    constraint["spec"]["enforcementAction"] = "warn"
    found = outcome(FakeKube(constraint), deployment({}))
    assert isinstance(found, list) and "Deployment Safeguards may warn" in found[0]


def test_a_name_glob_on_the_deployments_name_refuses_its_pods() -> None:
    # the ReplicaSet app-<hash> makes pods app-<hash>-<5 random>
    assert outcome(FakeKube(named("app-*")), deployment({})) == "refused"


def test_a_name_glob_for_another_prefix_leaves_the_deployments_pods_out() -> None:
    assert outcome(FakeKube(named("web-*")), deployment({})) == []


def test_an_exact_name_a_deployments_pod_could_draw_is_reported_as_unknown() -> None:
    found = outcome(FakeKube(named("app-5d8b9-x2k4q")), deployment({}))
    assert found != "refused" and "the pod's name, which the API server generates" in found[0]


def test_an_exact_name_no_generated_name_can_have_leaves_the_pods_out() -> None:
    # the last 5 characters come from rand.go's alphanums, which have no vowel
    assert outcome(FakeKube(named("app-5d8b9-aeiou")), deployment({})) == []


def test_a_name_glob_on_the_jobs_name_refuses_its_pods() -> None:
    assert outcome(FakeKube(named("train-*")), job()) == "refused"


def test_the_rayjob_submitters_generate_name_is_the_rayjobs() -> None:
    from tests.model.test_safeguards_controller_labels import rayjob

    obj = rayjob()
    assert outcome(FakeKube(named("tune-*")), obj) == "refused"
    assert outcome(FakeKube(named("other-*")), obj) == []


class NoNamespaceReads(FakeKube):
    """A user who may list the constraints but not read the namespace."""

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        if kind == "Namespace":
            raise errors.AuthError(f'namespaces "{name}" is forbidden')
        return super().get(api_version, kind, name, namespace)


def test_a_namespace_selector_on_a_namespace_akscli_may_not_read_is_reported_as_unknown() -> None:
    # before: the labels were taken as none, so the selector missed and nothing was said
    from akscli.kube import podsecurity

    constraint = probes_constraint()
    constraint["spec"]["match"]["namespaceSelector"] = {"matchLabels": {"tier": "prod"}}
    found = podsecurity.check(NoNamespaceReads(constraint), [deployment({})])  # type: ignore[arg-type]
    assert len(found) == 1
    assert (
        "may refuse its pods" in found[0] and "the labels of namespace models, which akscli could not read" in found[0]
    )
