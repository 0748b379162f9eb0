"""Every object set `model deploy` renders is checked for references that resolve to nothing (a route
to a Service nobody creates, a PodMonitor on a port no pod names, a ScaledObject on a series no
server exports): tests/model/_refcheck.py says what each reference must resolve to, and cites the
upstream controller or engine for what akscli does not render itself."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from akscli.model import deploy, kaito_names
from akscli.model.kinds import PROMETHEUS_OPERATOR_API

from . import _refcheck as refcheck
from .test_render import _request

PROM = {"monitor_api": PROMETHEUS_OPERATOR_API}
ROUTE_POOL = {"expose": True, "inference_pool": True}

# A set named with more than 39 characters: Flux shortens its HelmRelease SET-inferencepool.
LONG_SET = "phi-4-for-the-support-team-in-west-europe-a"

PATHS: dict[str, dict[str, Any]] = {
    "kaito workspace": {},
    "kaito workspace scraped": PROM,
    "kaito workspace routed": {"expose": True},
    "kaito workspace pooled": ROUTE_POOL,
    "kaito multinode workspace pooled": {"model": "llama-3.3-70b-instruct", "access_secret": "hf", **ROUTE_POOL},
    "kaito inferenceset": {"replicas": 2, **PROM},
    "kaito inferenceset autoscaled routed": {"autoscale": (1, 4), "expose": True, **PROM},
    "kaito inferenceset pooled": {"replicas": 2, **ROUTE_POOL},
    "kaito inferenceset on kaito's pool": {"replicas": 2, "kaito_pool": "phi-4-inferencepool", **ROUTE_POOL},
    "kaito inferenceset named long on kaito's pool": {
        "replicas": 2,
        "name": LONG_SET,
        "kaito_pool": kaito_names.pool_name(LONG_SET),
        **ROUTE_POOL,
    },
    "kaito on a fleet": {"fleet": True, "namespace": "phi-4"},
    "kaito on a fleet staged": {"fleet": True, "namespace": "phi-4", "staged_strategy": "gpu-waves"},
    "vllm": {"runtime": "vllm", **PROM},
    "vllm with secret": {"runtime": "vllm", "model": "llama-3.1-8b-instruct", "access_secret": "hf"},
    "vllm autoscaled routed": {"runtime": "vllm", "autoscale": (1, 4), "expose": True, **PROM},
    "vllm pooled": {"runtime": "vllm", **ROUTE_POOL, **PROM},
    "airunway kaito scraped with secret": {
        "runtime": "airunway",
        "model": "llama-3.1-8b-instruct",
        "access_secret": "hf",
        **PROM,
    },
    "airunway vllm scraped with secret": {
        "runtime": "airunway",
        "provider": "vllm",
        "model": "llama-3.1-8b-instruct",
        "access_secret": "hf",
        **PROM,
    },
    "airunway llmd scraped": {"runtime": "airunway", "provider": "llmd", **PROM},
    "airunway dynamo scraped": {"runtime": "airunway", "provider": "dynamo", **PROM},
    "airunway kuberay": {"runtime": "airunway", "provider": "kuberay", **PROM},
    "airunway vllm routed by ai runway": {"runtime": "airunway", "provider": "vllm", "expose": True},
}


def _objects(case: str) -> list[dict[str, Any]]:
    return deploy.build(_request(**PATHS[case]))


@pytest.mark.parametrize("case", PATHS)
def test_every_reference_of_a_deploy_resolves(case: str) -> None:
    assert refcheck.dangling(_objects(case)) == []


def test_the_paths_cover_every_kind_with_references() -> None:
    rendered = set().union(*(refcheck.kinds(_objects(case)) for case in PATHS))
    assert set(refcheck.CHECKS) <= rendered | {"Service"}


def test_what_only_the_cluster_resolves_is_each_refused_by_a_preflight_check() -> None:
    # The Gateway, the endpoint picker's Service and the token's Secret are the user's: deploy
    # reads each before it applies anything (akscli/model/preflight.py).
    world = refcheck.world(deploy.build(_request(runtime="vllm", access_secret="hf", **ROUTE_POOL)))
    assert refcheck.dangling(world.objects, world) == []
    assert sorted(world.external) == [
        "gateway.gateway.networking.k8s.io/inference-gateway (gateway_checks.check_gateway)",
        "secret/hf key HF_TOKEN (preflight._check_access_secret)",
        "service/phi-4-epp (picker.check)",
    ]


# The checker itself: each kind of break is reported (a check that cannot fail proves nothing).


def _broken(case: str, kind: str, edit: Any) -> list[str]:
    objects = copy.deepcopy(_objects(case))
    edit(next(o for o in objects if o["kind"] == kind))
    return refcheck.dangling(objects)


def test_a_service_target_port_no_pod_serves_is_reported() -> None:
    def edit(svc: dict[str, Any]) -> None:
        svc["spec"]["ports"][0]["targetPort"] = 8080

    assert _broken("vllm", "Service", edit) == [
        "service/phi-4: targetPort 8080 is no container port of deployment.apps/phi-4"
    ]


def test_a_route_to_a_service_nobody_creates_is_reported() -> None:
    def edit(route: dict[str, Any]) -> None:
        route["spec"]["rules"][0]["backendRefs"][0]["name"] = "phi-4-svc"

    assert _broken("kaito workspace routed", "HTTPRoute", edit) == [
        "HTTPRoute: backendRef service/phi-4-svc nobody creates"
    ]


def test_a_podmonitor_on_a_port_name_no_pod_has_is_reported() -> None:
    def edit(pm: dict[str, Any]) -> None:
        pm["spec"]["podMetricsEndpoints"][0]["port"] = "metrics"

    assert _broken("kaito workspace scraped", "PodMonitor", edit) == [
        "PodMonitor: port 'metrics' is no named container port of workspace.kaito.sh/phi-4"
    ]


def test_autoscaling_on_a_series_vllm_does_not_export_is_reported() -> None:
    def edit(so: dict[str, Any]) -> None:
        so["spec"]["triggers"][0]["metadata"]["query"] = 'sum(vllm:queue_size{model_name="microsoft/phi-4"})'

    assert _broken("vllm autoscaled routed", "ScaledObject", edit) == [
        "ScaledObject: vllm:queue_size is no vLLM series"
    ]


def test_autoscaling_on_a_model_name_no_pod_serves_is_reported() -> None:
    def edit(so: dict[str, Any]) -> None:
        so["spec"]["triggers"][0]["metadata"]["query"] = 'sum(vllm:num_requests_waiting{model_name="phi-4"})'

    assert _broken("vllm autoscaled routed", "ScaledObject", edit) == [
        "ScaledObject: no pod of the set serves model_name 'phi-4'"
    ]


def test_autoscaling_on_the_job_of_no_podmonitor_of_the_set_is_reported() -> None:
    def edit(so: dict[str, Any]) -> None:
        job = f"{so['metadata']['namespace']}/other"
        so["spec"]["triggers"][0]["metadata"]["query"] = f'sum(vllm:num_requests_waiting{{job="{job}"}})'

    [found] = _broken("vllm autoscaled routed", "ScaledObject", edit)
    assert found.startswith("ScaledObject: job '") and found.endswith("/other' is the job of no PodMonitor of the set")


def test_a_pool_selecting_no_pod_is_reported() -> None:
    def edit(pool: dict[str, Any]) -> None:
        pool["spec"]["selector"]["matchLabels"] = {"kaito.sh/workspace": "other"}

    assert _broken("kaito workspace pooled", "InferencePool", edit) == [
        "InferencePool: selector {'kaito.sh/workspace': 'other'} selects no pod of the set"
    ]


def test_a_podmonitor_on_a_label_the_airunway_provider_does_not_set_is_reported() -> None:
    # AI Runway's vllm provider labels its pods airunway.ai/deployment, not model-deployment
    # (providers/vllm/transformer.go buildDeployment).
    def edit(pm: dict[str, Any]) -> None:
        pm["spec"]["selector"]["matchLabels"] = {"airunway.ai/model-deployment": "phi-4"}

    assert _broken("airunway llmd scraped", "PodMonitor", edit) == [
        "PodMonitor: selector {'airunway.ai/model-deployment': 'phi-4'} selects no pod of the set"
    ]


def test_a_podmonitor_on_dynamo_frontends_http_port_is_reported() -> None:
    # Dynamo's workers serve vLLM's metrics on "system"; its frontend's "http" is another server.
    def edit(pm: dict[str, Any]) -> None:
        pm["spec"]["podMetricsEndpoints"][0]["port"] = "http"

    assert _broken("airunway dynamo scraped", "PodMonitor", edit) == [
        "PodMonitor: port 'http' is no named container port of modeldeployment.airunway.ai/phi-4 (dynamo) worker"
    ]


def test_an_airunway_kaito_config_nobody_creates_is_reported() -> None:
    def edit(md: dict[str, Any]) -> None:
        md["spec"]["provider"]["overrides"]["inference"]["config"] = "other-config"

    assert _broken("airunway kaito scraped with secret", "ModelDeployment", edit) == [
        "ModelDeployment: overrides inference.config configmap/other-config is in no set"
    ]


@pytest.mark.parametrize("provider", ["kaito", "vllm"])
def test_an_airunway_token_secret_is_left_to_the_preflight_key_check(provider: str) -> None:
    request = _request(model="llama-3.1-8b-instruct", runtime="airunway", provider=provider, access_secret="hf")
    world = refcheck.world(deploy.build(request))
    assert refcheck.dangling(world.objects, world) == []
    assert world.external == ["secret/hf key HF_TOKEN (preflight._check_access_secret)"]


def _route_to_pool(name: str) -> Any:
    def edit(route: dict[str, Any]) -> None:
        route["spec"]["rules"][0]["backendRefs"][0]["name"] = name

    return edit


def test_a_route_to_the_unshortened_pool_of_a_long_named_set_is_reported() -> None:
    # Flux installs HelmRelease SET-inferencepool (57 characters here) as a shortened release, the
    # pool's name: no pool SET-inferencepool exists.
    unshortened = f"{LONG_SET}-inferencepool"
    assert _broken("kaito inferenceset named long on kaito's pool", "HTTPRoute", _route_to_pool(unshortened)) == [
        f"HTTPRoute: backendRef inferencepool.inference.networking.k8s.io/{unshortened} is in no set"
    ]


def test_a_route_to_another_sets_inferencepool_is_reported() -> None:
    edit = _route_to_pool("other-inferencepool")
    assert _broken("kaito inferenceset on kaito's pool", "HTTPRoute", edit) == [
        "HTTPRoute: backendRef inferencepool.inference.networking.k8s.io/other-inferencepool is in no set"
    ]
