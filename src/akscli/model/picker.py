"""The endpoint picker an InferencePool of akscli's routes through, checked before anything is
applied: its Service exists, and a Deployment behind it runs an EPP started for this pool."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import NotFoundError
from akscli.kube.client import Kube
from akscli.model.deploy import DeployRequest, endpoint_picker


def check(kube: Kube, req: DeployRequest) -> None:
    # Without its endpoint picker an InferencePool never resolves: ResolvedRefs=False and the
    # gateway answers 5xx (kubernetes-sigs/gateway-api-inference-extension
    # conformance/tests/inferencepool_invalid_epp_service.go).
    picker = endpoint_picker(req)
    service = kube.get("v1", "Service", picker, namespace=req.namespace)
    if service is None:
        raise NotFoundError(
            f"--inference-pool needs its endpoint picker, and Service {req.namespace}/{picker} does not exist",
            hint=f"deploy an endpoint picker for pool {req.name} as Service {picker} (docs/model.md; or name "
            "yours with --endpoint-picker), or route to the Service without --inference-pool",
        )
    _check_picker_pool(kube, req, picker, service)


def _check_picker_pool(kube: Kube, req: DeployRequest, picker: str, service: Mapping[str, Any]) -> None:
    """An endpoint picker serves the one pool it is started for: --pool-name and --pool-namespace,
    the namespace defaulting to $NAMESPACE, else "default" (llm-d/llm-d-router v0.9.0
    pkg/epp/server/options.go and cmd/epp/runner/runner.go, resolvePoolNamespace; the same flags in
    kubernetes-sigs/gateway-api-inference-extension v1.6.0 pkg/lwepp/server/options.go). A picker
    started with --endpoint-selector serves no pool (routerlib templates/_deployment.yaml)."""
    selector = dict((service.get("spec") or {}).get("selector") or {})
    pools: list[str] = []
    for deployment in kube.list("apps/v1", "Deployment", namespace=req.namespace) if selector else []:
        template = (deployment.get("spec") or {}).get("template") or {}
        pod_labels = (template.get("metadata") or {}).get("labels") or {}
        if any(pod_labels.get(k) != v for k, v in selector.items()):
            continue
        for container in (template.get("spec") or {}).get("containers") or []:
            pool = _served_pool(container, req.namespace)
            if pool == (req.namespace, req.name):
                return
            if pool is not None:
                pools.append(f"{pool[0]}/{pool[1]}")
    found = (
        f"it serves InferencePool {', '.join(sorted(set(pools)))}" if pools else "no Deployment behind it serves a pool"
    )
    raise NotFoundError(
        f"endpoint picker Service {req.namespace}/{picker} is not started for InferencePool {req.namespace}/"
        f"{req.name} ({found}): the gateway would pick no endpoint of this model",
        hint=f"start a picker with --pool-name {req.name} --pool-namespace {req.namespace} (docs/model.md), "
        "or name yours with --endpoint-picker",
    )


def _served_pool(container: Mapping[str, Any], pod_namespace: str) -> tuple[str, str] | None:
    args = [str(a) for a in (*(container.get("command") or []), *(container.get("args") or []))]
    flags: dict[str, str] = {}
    for i, arg in enumerate(args):
        for flag in ("--pool-name", "--pool-namespace"):
            if arg == flag and i + 1 < len(args):
                flags[flag] = args[i + 1]
            elif arg.startswith(f"{flag}="):
                flags[flag] = arg.split("=", 1)[1]
    if not flags.get("--pool-name"):
        return None
    env_ns = None
    for e in container.get("env") or []:
        if e.get("name") != "NAMESPACE":
            continue
        # From the downward API (fieldRef metadata.namespace): the pod's own namespace.
        ref = ((e.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        env_ns = pod_namespace if ref == "metadata.namespace" else (str(e.get("value") or "") or None)
    namespace = flags.get("--pool-namespace") or env_ns or "default"
    return namespace, flags["--pool-name"]
