"""The endpoint picker's ServiceAccount must read its pool and the pods (akscli.model.picker_rbac):
llm-d-router's chart grants get, list and watch on both (llm-d/llm-d-router v0.9.0
config/charts/routerlib/templates/_rbac.yaml, config/charts/llm-d-router-gateway/templates/rbac.yaml);
an EPP without them never syncs its pool and never becomes ready (cmd/epp/runner/health.go), so
`model deploy --inference-pool` warns, asking the API server with SubjectAccessReviews."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from akscli.errors import AuthError
from akscli.model import picker_rbac
from tests.cli import invoke

from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
# _picker's Deployment runs as the chart's ServiceAccount, named after the picker.
PICKER_USER = "system:serviceaccount:default:phi-4-epp"
DEPLOY = ("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y")


def test_a_picker_that_may_not_read_its_pool_is_warned_of_with_the_grant_to_add(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    emu.auth.deny(resource="inferencepools", user=PICKER_USER)
    result = invoke(*DEPLOY)
    assert result.exit_code == 0, result
    assert (
        "endpoint picker default/phi-4-epp runs as ServiceAccount phi-4-epp, which may not get/list/watch "
        "inferencepools.inference.networking.k8s.io in namespace default: it never syncs InferencePool phi-4"
    ) in result.stderr
    assert (
        "kubectl create role phi-4-epp-reader -n default --verb=get,list,watch "
        "--resource=pods,inferencepools.inference.networking.k8s.io"
    ) in result.stderr
    assert "--serviceaccount=default:phi-4-epp" in result.stderr


def test_a_picker_that_may_not_watch_pods_is_named_with_that_verb_only(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    emu.auth.deny(verb="watch", resource="pods", user=PICKER_USER)
    result = invoke(*DEPLOY)
    assert result.exit_code == 0, result
    assert "which may not watch pods in namespace default" in result.stderr


def test_a_user_who_may_not_ask_the_api_server_gets_no_rbac_check(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    emu.auth.deny(resource="inferencepools", user=PICKER_USER)
    emu.auth.deny(verb="create", resource="subjectaccessreviews")
    result = invoke(*DEPLOY)
    assert result.exit_code == 0, result
    assert "ServiceAccount" not in result.stderr


class _Reviews:
    """Answers every SubjectAccessReview 'denied', and keeps them."""

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(obj["spec"])
        return {**obj, "status": {"allowed": False}}


def test_a_pod_without_a_service_account_is_checked_as_its_namespaces_default_one() -> None:
    # kubernetes/api core/v1 PodSpec.ServiceAccountName: "default" when unset.
    reviews = _Reviews()
    found = picker_rbac.warnings(reviews, "ml", "phi-4-epp", "phi-4", {})  # type: ignore[arg-type]
    assert "runs as ServiceAccount default," in found[0]
    assert {r["user"] for r in reviews.asked} == {"system:serviceaccount:ml:default"}
    assert reviews.asked[0]["groups"] == ["system:serviceaccounts", "system:serviceaccounts:ml", "system:authenticated"]
    asked = {(r["resourceAttributes"]["group"], r["resourceAttributes"]["resource"]) for r in reviews.asked}
    assert asked == {("", "pods"), ("inference.networking.k8s.io", "inferencepools")}


def test_the_check_stops_at_the_first_review_the_user_may_not_create() -> None:
    class _Forbidden:
        calls = 0

        def create(self, obj: dict[str, Any]) -> dict[str, Any]:
            self.calls += 1
            raise AuthError("subjectaccessreviews.authorization.k8s.io is forbidden")

    kube = _Forbidden()
    assert picker_rbac.warnings(kube, "ml", "phi-4-epp", "phi-4", {}) == []  # type: ignore[arg-type]
    assert kube.calls == 1


def test_the_reviews_after_the_first_are_in_flight_together() -> None:
    # Five reviews (get/list/watch on pods and inferencepools, less the first) meet at one barrier:
    # sent one after another, the first would wait there alone and the barrier would break.
    meeting = threading.Barrier(5, timeout=10)

    class _Together(_Reviews):
        def create(self, obj: dict[str, Any]) -> dict[str, Any]:
            first = not self.asked
            answer = super().create(obj)
            if not first:
                meeting.wait()
            return answer

    reviews = _Together()
    found = picker_rbac.warnings(reviews, "ml", "phi-4-epp", "phi-4", {})  # type: ignore[arg-type]
    assert "may not get/list/watch pods or get/list/watch inferencepools" in found[0]
    assert len(reviews.asked) == 6
