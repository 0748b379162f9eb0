"""The endpoint picker an InferencePool of akscli's routes through, checked before anything is
applied: its Service exists and has the port the pool names, a Deployment behind it runs an EPP
started for this pool and listening where that port leads, and an Istio gateway speaks to it in
the EPP's own protocol (TLS or plaintext)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import NotFoundError
from akscli.kube.client import Kube
from akscli.model import picker_rbac, picker_tls
from akscli.model.deploy import PICKER_PORT, endpoint_picker
from akscli.model.goflags import go_flag
from akscli.model.kinds import POOL_API
from akscli.model.request import DeployRequest

# The group of the InferencePool akscli renders (inference.networking.k8s.io/v1).
POOL_GROUP = POOL_API.split("/")[0]


def check(kube: Kube, req: DeployRequest) -> list[str]:
    """Refuse a picker the pool cannot use; return the warnings to show."""
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
    port = _service_port(req, picker, service)
    container, template = _check_picker_pool(kube, req, picker, service)
    _check_grpc_port(req, picker, port, container)
    pod_meta = dict(template.get("metadata") or {})
    found = picker_rbac.warnings(kube, req.namespace, picker, req.name, template.get("spec") or {})
    return found + picker_tls.check_gateway_tls(kube, req, picker, container, pod_meta, port)


def _service_port(req: DeployRequest, picker: str, service: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pool's endpointPickerRef names a Service port, not a target port
    (kubernetes-sigs/gateway-api-inference-extension v1.6.0 api/v1/inferencepool_types.go,
    EndpointPickerRef.Port): the gateway's ext_proc cluster is that port of the Service (istio/istio
    1.29.6 pilot/pkg/networking/core/route/route.go, outbound|PORT||SERVICE), so a Service without
    it reaches no picker."""
    ports = list((service.get("spec") or {}).get("ports") or [])
    for port in ports:
        if port.get("port") == PICKER_PORT:
            return dict(port)
    has = ", ".join(str(p.get("port")) for p in ports) or "none"
    raise NotFoundError(
        f"endpoint picker Service {req.namespace}/{picker} has no port {PICKER_PORT} (it has {has}), the port "
        f"InferencePool {req.name} names: the gateway would reach no endpoint picker",
        hint=f"serve the picker's gRPC (ext_proc) port as port {PICKER_PORT} of Service {picker} (llm-d-router's "
        "chart: router.epp.extProcPort, 9002 by default), or name another picker with --endpoint-picker",
    )


def _check_picker_pool(
    kube: Kube, req: DeployRequest, picker: str, service: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """An endpoint picker serves the one pool it is started for: --pool-name and --pool-namespace,
    the namespace defaulting to $NAMESPACE, else "default" (llm-d/llm-d-router v0.9.0
    pkg/epp/server/options.go and cmd/epp/runner/runner.go, resolvePoolNamespace; the same flags in
    kubernetes-sigs/gateway-api-inference-extension v1.6.0 pkg/lwepp/server/options.go). A picker
    started with --endpoint-selector serves no pool (routerlib templates/_deployment.yaml). Returns
    the EPP's container and its pod template."""
    selector = dict((service.get("spec") or {}).get("selector") or {})
    pools: list[str] = []
    for deployment in kube.list("apps/v1", "Deployment", namespace=req.namespace) if selector else []:
        template = (deployment.get("spec") or {}).get("template") or {}
        pod_labels = (template.get("metadata") or {}).get("labels") or {}
        if any(pod_labels.get(k) != v for k, v in selector.items()):
            continue
        for container in (template.get("spec") or {}).get("containers") or []:
            pool = _served_pool(container, req.namespace)
            if pool == (req.namespace, req.name, POOL_GROUP):
                return dict(container), dict(template)
            if pool is not None:
                pools.append(f"{pool[0]}/{pool[1]}" + ("" if pool[2] == POOL_GROUP else f" of group {pool[2]}"))
    found = (
        f"it serves InferencePool {', '.join(sorted(set(pools)))}" if pools else "no Deployment behind it serves a pool"
    )
    raise NotFoundError(
        f"endpoint picker Service {req.namespace}/{picker} is not started for InferencePool {req.namespace}/"
        f"{req.name} ({found}): the gateway would pick no endpoint of this model",
        hint=f"start a picker with --pool-name {req.name} --pool-namespace {req.namespace} (docs/model.md), "
        "or name yours with --endpoint-picker",
    )


def _served_pool(container: Mapping[str, Any], pod_namespace: str) -> tuple[str, str, str] | None:
    """The namespace, name and API group of the pool the EPP serves: --pool-group, default
    inference.networking.k8s.io, is the group of the InferencePool it watches (llm-d/llm-d-router
    v0.9.0 pkg/epp/server/options.go; cmd/epp/runner/runner.go extractGKNN), so an EPP started
    for another group never reads akscli's pool."""
    args = _args(container)
    flags: dict[str, str] = {}
    for i, arg in enumerate(args):
        for flag in ("--pool-name", "--pool-namespace", "--pool-group"):
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
    return namespace, flags["--pool-name"], flags.get("--pool-group") or POOL_GROUP


def _check_grpc_port(req: DeployRequest, picker: str, port: Mapping[str, Any], container: Mapping[str, Any]) -> None:
    """The Service port must lead to the port the EPP serves ext_proc on: its --grpc-port, 9002 by
    default (llm-d/llm-d-router v0.9.0 pkg/epp/server/options.go). A targetPort is a number, or the
    name of a container port (kubernetes/api core/v1 ServicePort.TargetPort); none means the port."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, str) and not target.isdigit():
        named = [p for p in container.get("ports") or [] if p.get("name") == target]
        if not named:
            return  # the pod may still name it; the Service's own endpoints say, not the template
        target = named[0].get("containerPort")
    listens = go_flag(_args(container), "grpc-port") or str(PICKER_PORT)
    if str(target) != listens:
        raise NotFoundError(
            f"port {PICKER_PORT} of endpoint picker Service {req.namespace}/{picker} leads to port {target}, and "
            f"the picker serves ext_proc on {listens} (--grpc-port): the gateway would reach no endpoint picker",
            hint=f"point the Service's port {PICKER_PORT} at targetPort {listens}, or start the picker with "
            f"--grpc-port={target}",
        )


def _args(container: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in (*(container.get("command") or []), *(container.get("args") or []))]
