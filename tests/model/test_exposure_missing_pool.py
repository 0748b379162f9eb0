"""A route whose InferencePool is gone: every conformant gateway keeps the route Accepted with
ResolvedRefs False, BackendNotFound (kubernetes-sigs/gateway-api-inference-extension v1.6.0
conformance/tests/httproute_invalid_inferencepool_ref.go), so `model status` says the pool does not
exist and who makes it (akscli.model.exposure._missing_pool_verdict)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model import exposure
from tests.cli import invoke
from tests.emulators.kube.apiserver_common import wait_until

from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
POOL_API = "inference.networking.k8s.io/v1"
WAIT = ("--wait", "--timeout", "20s", "-y")


class _Kube:
    """Serves route ROUTE and no InferencePool."""

    def __init__(self, route: dict[str, Any]) -> None:
        self.route = route

    def has_api(self, api_version: str, kind: str) -> bool:
        return True

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.route if kind == "HTTPRoute" else None


def _route(name: str, pool: str, labels: dict[str, str], owners: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A route to POOL that its Gateway keeps Accepted with the pool not found (Istio's message:
    istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go buildDestination)."""
    ref = {"name": "inference-gateway"}
    conditions = [
        {"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1},
        {
            "type": "ResolvedRefs",
            "status": "False",
            "reason": "BackendNotFound",
            "message": f"backend({pool}) not found",
            "observedGeneration": 1,
        },
    ]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": name,
            "namespace": "default",
            "generation": 1,
            "labels": labels,
            "ownerReferences": owners or [],
        },
        "spec": {
            "parentRefs": [ref],
            "rules": [
                {"backendRefs": [{"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": pool}]}
            ],
        },
        "status": {"parents": [{"parentRef": ref, "conditions": conditions}]},
    }


def _resolved_refs(emu: Any) -> str | None:
    """The reason of the route's ResolvedRefs, as the lab's gateway last wrote it."""
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4") or {}
    for parent in (route.get("status") or {}).get("parents") or []:
        for condition in parent.get("conditions") or []:
            if condition["type"] == "ResolvedRefs":
                return str(condition["reason"])
    return None


def test_status_says_akscli_s_pool_is_gone_and_that_a_deploy_makes_it_again(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT).exit_code == 0
    emu.cluster.delete(POOL_API, "InferencePool", "default", "phi-4")
    assert wait_until(lambda: _resolved_refs(emu) == "BackendNotFound", timeout=5)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert "backend(phi-4) not found; InferencePool default/phi-4, which the route names, does not exist" in (
        result.stderr
    )
    assert "akscli makes it with the route: deploy the model again with --expose --inference-pool" in result.stderr


def test_a_missing_kaito_pool_is_kaitos_to_make_under_its_feature_gate() -> None:
    route = _route("phi-4", "phi-4-inferencepool", {"akscli.io/model": "phi-4", "akscli.io/runtime": "kaito"})
    found = exposure.read(_Kube(route), "phi-4", "default")  # type: ignore[arg-type]
    assert found is not None
    assert "InferencePool default/phi-4-inferencepool, which the route names, does not exist" in found.line()
    assert "KAITO makes it for InferenceSet phi-4" in found.verdict.fix
    assert "gatewayAPIInferenceExtension" in found.verdict.fix


def test_a_missing_pool_of_ai_runways_route_is_ai_runways_to_make() -> None:
    # AI Runway's route carries no labels, only its ModelDeployment as owner (ai-runway/airunway v0.7.0
    # controller/internal/controller/gateway_reconciler.go; tests/emulators/kube/controllers/airunway_objects.py).
    owner = {"apiVersion": "airunway.ai/v1alpha1", "kind": "ModelDeployment", "name": "phi-4", "uid": "u1"}
    route = _route("phi-4", "phi-4", {}, [owner])
    found = exposure.read(_Kube(route), "phi-4", "default")  # type: ignore[arg-type]
    assert found is not None
    assert "InferencePool default/phi-4, which the route names, does not exist" in found.line()
    assert "AI Runway makes it with the route while ModelDeployment phi-4 is Running" in found.verdict.fix
