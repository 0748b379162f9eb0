"""The body-based router as its Helm chart installs it with provider.name=istio, in the lab
(kubernetes-sigs/gateway-api-inference-extension v1.5.0 config/charts/body-based-routing:
templates/bbr.yaml, the Deployment and Service body-based-router; templates/istio.yaml, the
EnvoyFilter on the Gateway)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.emulators.kube.profiles import install_crd

NAME = "body-based-router"
EXT_PROC = "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"
ROUTE_API = "gateway.networking.k8s.io/v1"
GATEWAY_PROXY = "/api/v1/namespaces/default/services/inference-gateway-approuting-istio:80/proxy/v1/"
SERVED = "microsoft/phi-4"
ADAPTER = "food-review-1"


def envoy_filter(gateway: str, namespace: str = "default") -> dict[str, Any]:
    """templates/istio.yaml with inferenceGateway.name=GATEWAY (the DestinationRule left out)."""
    return {
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": {"name": NAME, "namespace": namespace},
        "spec": {
            "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway}],
            "configPatches": [
                {
                    "applyTo": "HTTP_FILTER",
                    "match": {
                        "context": "GATEWAY",
                        "listener": {
                            "filterChain": {"filter": {"name": "envoy.filters.network.http_connection_manager"}}
                        },
                    },
                    "patch": {
                        "operation": "INSERT_FIRST",
                        "value": {
                            "name": "envoy.filters.http.ext_proc.bbr",
                            "typed_config": {
                                "@type": EXT_PROC,
                                "failure_mode_allow": False,
                                "grpc_service": {
                                    "envoy_grpc": {
                                        "cluster_name": f"outbound|9004||{NAME}.{namespace}.svc.cluster.local"
                                    }
                                },
                            },
                        },
                    },
                }
            ],
        },
    }


def install_bbr(
    emu: Any,
    gateway: str = "inference-gateway",
    namespace: str = "default",
    replicas: int = 1,
    wired: dict[str, Any] | None = None,
    deployment: str = NAME,
) -> None:
    """The chart's ServiceAccount (bbr.name-RELEASE: templates/rbac.yaml), Deployment (``replicas``;
    the lab's controllers make its pods ready), Service and EnvoyFilter (``wired``: another
    EnvoyFilter in its place, one written by hand); the Deployment named ``deployment``."""
    install_crd(emu, "networking.istio.io", "EnvoyFilter", version="v1alpha3")
    labels = {"app": NAME}
    account = f"{NAME}-{NAME}"
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account, "namespace": namespace}}
    )
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": deployment, "namespace": namespace},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": account,
                        "containers": [
                            {
                                "name": "bbr",
                                "image": "registry.k8s.io/gateway-api-inference-extension/bbr:v1.5.0",
                                "args": ["--streaming"],
                                "env": [
                                    {
                                        "name": "NAMESPACE",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                    }
                                ],
                                "ports": [{"containerPort": 9004}, {"containerPort": 9005}],
                            }
                        ],
                    },
                },
            },
        }
    )
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": NAME, "namespace": namespace},
            "spec": {"selector": labels, "ports": [{"protocol": "TCP", "port": 9004, "targetPort": 9004}]},
        }
    )
    if wired is not None and emu.cluster.get("v1", "Namespace", None, wired["metadata"]["namespace"]) is None:
        emu.cluster.create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": wired["metadata"]["namespace"]}}
        )
    emu.cluster.create(wired if wired is not None else envoy_filter(gateway, namespace))
    # The lab's Deployment controller counts ready pods when it syncs; a label change makes it
    # sync. Waited for by state (its readyReplicas), not by time.
    deadline = time.monotonic() + 20
    for n in itertools.count():
        assert emu.idle()
        status = emu.cluster.get("apps/v1", "Deployment", namespace, deployment).get("status") or {}
        if int(status.get("readyReplicas") or 0) == replicas:
            return
        assert time.monotonic() < deadline, f"Deployment {deployment} never had {replicas} ready replicas: {status}"
        emu.cluster.patch("apps/v1", "Deployment", namespace, deployment, {"metadata": {"labels": {"synced": str(n)}}})


def exposed(model_emulator: Callable[..., Any], header: str = "X-Gateway-Model-Name", lora: bool = False) -> Any:
    """phi-4 on vLLM with --expose; its route then matches ``header`` = the served model, as AI
    Runway's route (X-Gateway-Model-Name) or the inferencepool chart's experimentalHttpRoute
    (X-Gateway-Base-Model-Name) do. With ``lora``: vLLM also serves the LoRA adapter ADAPTER."""
    emu = model_emulator(serving=True)
    emu.cluster.create(nc_a100_node())  # the pods are Ready only on a node (vLLM's takes its GPU)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    route = emu.cluster.get(ROUTE_API, "HTTPRoute", "default", "phi-4")
    route["spec"]["rules"][0]["matches"][0]["headers"] = [{"type": "Exact", "name": header, "value": SERVED}]
    emu.cluster.update(route)
    if lora:
        deployment = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["args"] += ["--enable-lora", "--lora-modules", f"{ADAPTER}=/adapters/{ADAPTER}"]
        emu.cluster.update(deployment)
    assert emu.idle()
    return emu


def hand_written_filter(namespace: str = "default", **spec: Any) -> dict[str, Any]:
    """The chart's EnvoyFilter renamed (model-header, filter model.header) and moved to
    ``namespace``, its targetRefs replaced by ``spec``'s fields."""
    item = envoy_filter("inference-gateway", "default")
    item["metadata"] = {"name": "model-header", "namespace": namespace}
    del item["spec"]["targetRefs"]
    item["spec"].update(spec)
    item["spec"]["configPatches"][0]["patch"]["value"]["name"] = "model.header"
    return item
