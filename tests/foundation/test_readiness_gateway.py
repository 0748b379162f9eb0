"""The wait rule of an HTTPRoute and an InferencePool: per parent Gateway, Accepted and ResolvedRefs
of the current generation (kubernetes-sigs/gateway-api v1.6.1 apis/v1/shared_types.go; the
inference extension v1.6.0 api/v1/inferencepool_types.go), with the reasons and messages Istio
1.29.6 writes (pilot/pkg/config/kube/gateway/conditions.go, conversion.go,
inferencepool_collection.go)."""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness

GW = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference-gateway"}


def cond(ctype: str, status: str = "True", reason: str = "", message: str = "", gen: int = 1) -> dict[str, Any]:
    return {"type": ctype, "status": status, "reason": reason or ctype, "message": message, "observedGeneration": gen}


def route(*conds: dict[str, Any], generation: int = 1, parent: dict[str, Any] | None = None) -> dict[str, Any]:
    parents = [{"parentRef": parent or GW, "controllerName": "istio.io/gateway-controller", "conditions": list(conds)}]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": generation},
        "spec": {"parentRefs": [GW], "rules": [{"backendRefs": [{"name": "phi-4", "port": 80}]}]},
        "status": {"parents": parents if conds else []},
    }


def pool(*parents: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "inference.networking.k8s.io/v1",
        "kind": "InferencePool",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "spec": {"endpointPickerRef": {"name": "phi-4-epp"}},
        "status": {"parents": [{"parentRef": {**GW, "namespace": "default"}, "conditions": c} for c in parents]},
    }


def test_a_route_the_gateway_accepted_and_resolved_is_ready() -> None:
    assert readiness.check(route(cond("Accepted", message="Route was valid"), cond("ResolvedRefs"))).ready


def test_a_route_with_no_status_from_its_gateway_waits_naming_the_gateway() -> None:
    verdict = readiness.check(route())
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith("Gateway default/inference-gateway has written no status for the route yet")
    assert "controller runs" in verdict.fix


def test_a_route_whose_status_is_of_an_earlier_generation_waits() -> None:
    verdict = readiness.check(route(cond("Accepted"), cond("ResolvedRefs"), generation=2))
    assert not verdict.ready and not verdict.failed
    assert verdict.message == "waiting for Gateway default/inference-gateway to set Accepted on generation 2"


def test_a_route_the_gateway_refused_fails_at_once_with_the_listener_fix() -> None:
    refused = cond("Accepted", "False", "NotAllowedByListeners", 'hostnames matched parent hostname "*", but ...')
    verdict = readiness.check(route(refused, cond("ResolvedRefs")))
    assert verdict.failed and verdict.reason == "NotAllowedByListeners"
    assert "did not accept it: Accepted=False (NotAllowedByListeners)" in verdict.message
    assert "allowedRoutes" in verdict.fix


def test_a_backend_not_found_is_waited_for_not_failed() -> None:
    # Istio: BackendNotFound while the Service (or the pool's shadow Service) does not exist yet.
    missing = cond("ResolvedRefs", "False", "BackendNotFound", "backend(phi-4.default.svc.cluster.local) not found")
    verdict = readiness.check(route(cond("Accepted"), missing))
    assert not verdict.ready and not verdict.failed
    assert "Service default/phi-4" in verdict.fix


def test_a_pool_application_gateway_for_containers_did_not_find_points_at_its_pods() -> None:
    # MicrosoftDocs/azure-docs articles/application-gateway/for-containers/how-to-inference-gateway.md:
    # ALB Controller reports a pool with zero ready endpoints as BackendNotFound.
    obj = route(
        cond("Accepted"), cond("ResolvedRefs", "False", "BackendNotFound", "InferencePool default/phi-4 not found")
    )
    obj["spec"]["rules"][0]["backendRefs"] = [
        {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "phi-4"}
    ]
    obj["status"]["parents"][0]["controllerName"] = "alb.networking.azure.io/alb-controller"
    verdict = readiness.check(obj)
    assert not verdict.ready and not verdict.failed
    assert "a pool with no ready pod" in verdict.fix
    assert "InferencePool default/phi-4 exists and that the pods it selects are ready" in verdict.fix


def test_a_pool_route_an_istio_before_1_28_does_not_know_says_to_upgrade_it() -> None:
    # istio/istio 1.27.9 reads only the inference.networking.x-k8s.io/v1alpha2 pool: the v1 group
    # reaches buildDestination's default case.
    message = 'referencing unsupported backendRef: group "inference.networking.k8s.io" kind "InferencePool"'
    obj = route(cond("Accepted"), cond("ResolvedRefs", "False", "InvalidKind", message))
    obj["spec"]["rules"][0]["backendRefs"] = [
        {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "phi-4"}
    ]
    verdict = readiness.check(obj)
    assert verdict.failed
    assert "Istio reads it from 1.28 on (AKS's Istio add-on revision asm-1-28 or later)" in verdict.fix
    assert "ENABLE_GATEWAY_API_INFERENCE_EXTENSION" not in verdict.fix


def test_a_backend_ref_no_reference_grant_permits_fails_at_once() -> None:
    verdict = readiness.check(route(cond("Accepted"), cond("ResolvedRefs", "False", "RefNotPermitted")))
    assert verdict.failed and "ReferenceGrant" in verdict.fix


def test_the_parent_entry_is_matched_by_its_section_name() -> None:
    other_listener = {**GW, "sectionName": "https"}
    assert not readiness.check(route(cond("Accepted"), cond("ResolvedRefs"), parent=other_listener)).ready


def test_a_pool_no_gateway_took_waits() -> None:
    verdict = readiness.check(pool())
    assert not verdict.ready and not verdict.failed
    assert "no Gateway has taken the pool yet" in verdict.message


def test_a_pool_accepted_and_resolved_by_its_gateway_is_ready() -> None:
    assert readiness.check(pool([cond("Accepted"), cond("ResolvedRefs")])).ready


def test_a_pool_without_its_picker_service_waits_naming_the_service() -> None:
    missing = cond("ResolvedRefs", "False", "InvalidExtensionRef", "Referenced ExtensionRef not found phi-4-epp")
    verdict = readiness.check(pool([cond("Accepted"), missing]))
    assert not verdict.ready and not verdict.failed
    assert "endpoint picker Service default/phi-4-epp" in verdict.fix


def test_a_pool_its_gateway_does_not_support_fails_at_once() -> None:
    verdict = readiness.check(pool([cond("Accepted", "False", "NotSupportedByParent"), cond("ResolvedRefs")]))
    assert verdict.failed and verdict.reason == "NotSupportedByParent"


def test_a_route_the_gateway_fell_back_on_fails_at_once_naming_the_generation_it_serves() -> None:
    # shared_types.go RouteConditionPartiallyInvalid, "Fall Back": Accepted stays on the last good generation.
    fallback = cond("PartiallyInvalid", reason="UnsupportedValue", message="Fall Back: rule 0 has a bad filter", gen=2)
    verdict = readiness.check(route(cond("Accepted"), cond("ResolvedRefs"), fallback, generation=2))
    assert verdict.failed and verdict.reason == "UnsupportedValue"
    assert verdict.message == (
        "Gateway default/inference-gateway serves the route of generation 1, not 2: "
        "PartiallyInvalid=True (UnsupportedValue): Fall Back: rule 0 has a bad filter"
    )
    assert "deploy again" in verdict.fix


def test_a_route_with_a_dropped_rule_fails_at_once_though_accepted() -> None:
    dropped = cond("PartiallyInvalid", reason="UnsupportedValue", message="Dropped Rule 1: unsupported timeout")
    verdict = readiness.check(route(cond("Accepted"), cond("ResolvedRefs"), dropped))
    assert verdict.failed
    assert verdict.message.startswith("Gateway default/inference-gateway serves the route without the rules it dropped")


def test_a_partially_invalid_of_an_earlier_generation_does_not_count() -> None:
    old = cond("PartiallyInvalid", reason="UnsupportedValue", message="Dropped Rule 1", gen=1)
    assert readiness.check(route(cond("Accepted", gen=2), cond("ResolvedRefs", gen=2), old, generation=2)).ready
