"""`model deploy --expose --wait` waits for the gateway: the route's parent status (Accepted,
ResolvedRefs) and the pool's, as the lab's Istio writes them (tests/emulators/kube/controllers/
gateway.py, gateway_pools.py; upstream istio/istio 1.29.6 pilot/pkg/config/kube/gateway/
conditions.go, conversion.go, inferencepool_collection.go). Live deploys against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
WAIT = ("--wait", "--timeout", "20s", "-y")


def test_an_exposed_model_is_ready_once_the_gateway_accepted_its_route(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--expose", *WAIT)
    assert result.exit_code == 0, result
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    conds = {c["type"]: c["status"] for c in route["status"]["parents"][0]["conditions"]}
    assert conds == {"Accepted": "True", "ResolvedRefs": "True"}


def test_a_pool_route_with_the_inference_extension_off_fails_the_wait_with_istios_reason(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.gateway.inference_extension = False  # istiod without ENABLE_GATEWAY_API_INFERENCE_EXTENSION
    _picker(emu, "phi-4-epp")
    result = invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT)
    assert result.exit_code == 10, result
    assert (
        "Gateway default/inference-gateway could not resolve its backends: ResolvedRefs=False (InvalidKind): "
        "InferencePool is not enabled" in result.stderr
    )
    assert "ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true" in result.stderr.split("hint:")[-1]


def test_a_gateway_whose_controller_never_answers_times_out_naming_it(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "other"},
            "spec": {"controllerName": "example.com/other-controller"},  # no controller runs for it
        }
    )
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "quiet", "namespace": "default"},
            "spec": {"gatewayClassName": "other", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
        }
    )
    result = invoke("model", "deploy", "phi-4", "--expose", "--gateway", "quiet", "--wait", "--timeout", "3s", "-y")
    assert result.exit_code == 5, result
    # Before anything is applied: the class no controller has accepted (the CRD's default status).
    assert (
        "warning: GatewayClass other of Gateway default/quiet is not accepted by its controller "
        "example.com/other-controller (Accepted=Unknown (Pending): Waiting for controller)" in result.stderr
    )
    route = "httproute.gateway.networking.k8s.io/phi-4"
    assert f"{route} (Gateway default/quiet has written no status for the route yet" in result.stderr
    assert "see that Gateway default/quiet's controller runs" in result.stderr.split("hint:")[-1]


def test_the_wait_for_a_route_and_its_pool_reads_each_once_and_watches(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    emu.record_requests = True
    result = invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT)
    assert result.exit_code == 0, result
    for plural in ("httproutes", "inferencepools"):
        reads = [r for r in emu.requests(method="GET", path=f"/{plural}") if "fieldSelector" in r.query]
        # list_and_watch from the apply's answer (kube/wait.py): one watch of the object by name from
        # the answer's resourceVersion, at most one watch resumed from it; no list, no watch-list, no GET loop.
        assert reads and reads[0].query.get("resourceVersion"), [r.query for r in reads]
        assert not any("sendInitialEvents" in r.query for r in reads), [r.query for r in reads]
        assert [r.verb for r in reads] in (["watch"], ["watch", "watch"]), [r.query for r in reads]
