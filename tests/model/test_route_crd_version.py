"""`model deploy --expose` writes `timeouts.request` on its HTTPRoute rule. That field reached the
standard channel of Gateway API in kubernetes-sigs/gateway-api v1.2.0 (CHANGELOG/1.2-CHANGELOG.md,
"HTTPRoute Timeouts and Durations": graduated to Standard); v1.1.0's
config/crd/standard/gateway.networking.k8s.io_httproutes.yaml has no `timeouts` in either served
version (only config/crd/experimental had it). A cluster with such CRDs refuses the route as an
unknown field (akscli applies with fieldValidation=Strict), so the deploy reads the CRD first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model import route_crd
from tests.cli import invoke

Start = Callable[..., Any]
CRD = "httproutes.gateway.networking.k8s.io"
BUNDLE = "gateway.networking.k8s.io/bundle-version"


def _serve_v1_1_0_routes(emu: Any) -> None:
    """The shared v1.6.1 HTTPRoute CRD without rules[].timeouts in either version, labelled v1.1.0:
    kubernetes-sigs/gateway-api v1.1.0 config/crd/standard/gateway.networking.k8s.io_httproutes.yaml
    has rules[].properties backendRefs, filters and matches, and the same rule-level CEL checks."""
    crd = emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, CRD)
    crd["metadata"]["annotations"][BUNDLE] = "v1.1.0"
    for version in crd["spec"]["versions"]:
        rule = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["rules"]["items"]
        del rule["properties"]["timeouts"]
    emu.cluster.update(crd)


def _model_objects(emu: Any) -> list[str]:
    return [
        kind
        for api, kind in (("apps/v1", "Deployment"), ("v1", "Service"), ("gateway.networking.k8s.io/v1", "HTTPRoute"))
        if emu.cluster.get(api, kind, "default", "phi-4") is not None
    ]


def test_a_route_the_clusters_older_gateway_api_crds_cannot_hold_is_refused_before_anything_is_applied(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=("gateway-api",))
    _serve_v1_1_0_routes(emu)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "-y")
    assert result.exit_code == 7, result
    # the plan and a warning (the vLLM pods' VM size) come first; the refusal is one error line and its hint
    lines = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert lines[0].startswith("error: the HTTPRoute CRD of this cluster (Gateway API v1.1.0, standard channel)"), lines
    assert "timeouts" in lines[0]
    assert lines[1].startswith("hint: upgrade the Gateway API CRDs to v1.2.0 or later"), lines
    assert "--route-timeout none" in lines[1]
    assert len(lines) == 2 and "Traceback" not in result.stderr
    assert _model_objects(emu) == []


def test_route_timeout_none_leaves_the_field_out_so_older_crds_take_the_route(model_emulator: Start) -> None:
    emu = model_emulator(crds=("gateway-api",))
    _serve_v1_1_0_routes(emu)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--route-timeout", "none", "-y")
    assert result.exit_code == 0, result
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    assert "timeouts" not in route["spec"]["rules"][0]


def test_a_crd_the_user_may_not_read_lets_the_deploy_go_on_as_before(model_emulator: Start) -> None:
    emu = model_emulator(crds=("gateway-api",))
    emu.auth.deny(verb="get", resource="customresourcedefinitions")
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "-y")
    assert result.exit_code == 0, result
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    assert route["spec"]["rules"][0]["timeouts"] == {"request": "300s"}


def test_a_crd_with_no_schema_to_read_is_not_taken_for_an_old_one() -> None:
    # an HTTPRoute CRD that keeps unknown fields (as a test's or a vendor's stand-in CRD may) holds any rule
    loose = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    assert route_crd.holds_timeouts({"spec": {"versions": [{"name": "v1", "served": True, "schema": loose}]}}) is None
    assert route_crd.holds_timeouts({"spec": {"versions": [{"name": "v1beta1", "served": True}]}}) is None
