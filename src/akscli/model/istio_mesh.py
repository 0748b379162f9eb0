"""The mesh configuration of the istiod that serves a Gateway: its root namespace and the default
exportTo of DestinationRules, read where istiod reads them.

Which istiod (istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c):
* pkg/revisions/tag_watcher.go IsMine: a Gateway belongs to the revision or tag its ``istio.io/rev``
  label names, else its Namespace's; with neither, to the revision the default tag points to (the
  MutatingWebhookConfiguration labelled ``istio.io/tag: default``, its ``istio.io/rev`` label),
  else to the default revision (ValidatingWebhookConfiguration ``istiod-default-validator``'s
  ``istio.io/rev``). A tag is a MutatingWebhookConfiguration labelled ``istio.io/tag: TAG``; its
  ``istio.io/rev`` label is the revision (GetMyTags). With none of these: revision "default".
* The revision's istiod, wherever it runs: its Deployment, labelled ``app: istiod`` and
  ``istio.io/rev: REVISION`` ("default" when unrevisioned) by the chart
  (manifests/charts/istio-control/istio-discovery/templates/deployment.yaml), listed in all
  namespaces by those labels as istioctl finds istiod by ``app=istiod``
  (pkg/kube/client.go GetIstioVersions, AllDiscoveryDo).
* pilot/pkg/bootstrap/mesh.go getMeshConfigMapName, getConfigurationSources, toSources: istiod
  reads key ``mesh`` of ConfigMap ``istio`` (``istio-REVISION`` for a revision other than
  "default") in its own namespace, and first, where its ``SHARED_MESH_CONFIG`` environment
  variable names one (pilot/pkg/features/pilot.go SharedMeshConfig), that ConfigMap's ``mesh`` in
  the same namespace, which the revision's own overrides ("User configuration is applied
  first"). akscli merges the two field by field, the revision's winning.
* pkg/config/mesh/mesh.go DefaultMeshConfig: the fields both leave out; rootNamespace
  istio-system (the chart writes istiod's namespace:
  manifests/charts/istio-control/istio-discovery/templates/configmap.yaml).
* pilot/pkg/model/push_context.go initDefaultExportMaps: defaultDestinationRuleExportTo, "*" when
  the mesh sets none.

AKS's Istio add-on runs istiod-asm-REV in aks-istio-system, reads the user's
``istio-shared-configmap-REV`` there with its own ``istio-REV`` taking precedence, and blocks
rootNamespace (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/istio-meshconfig.md; the
mesh-wide Telemetry of istio-gateway-api.md lives in aks-istio-system). Where no istiod can be
listed (a user of the model's namespace only) and istio-system has no ConfigMap of the revision,
the root namespace is aks-istio-system and the add-on's shared ConfigMap of the revision, where
one can be read, gives defaultDestinationRuleExportTo: what akscli took before it read the mesh.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from akscli.errors import AkscliError, AuthError, NotInstalledError
from akscli.kube.client import Kube

AKS_NAMESPACE = "aks-istio-system"
ISTIO_NAMESPACE = "istio-system"
REVISION_LABEL = "istio.io/rev"
TAG_LABEL = "istio.io/tag"
DEFAULT_VALIDATOR = "istiod-default-validator"
AKS_SHARED_PREFIX = "istio-shared-configmap-"
WEBHOOKS = "admissionregistration.k8s.io/v1"
_T = TypeVar("_T")


@dataclass(frozen=True)
class Mesh:
    root_namespace: str
    default_destination_rule_export_to: frozenset[str]
    # Where it was read ("istio-system/istio"); None for the AKS add-on's fixed root namespace.
    source: str | None
    # istiod's ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY (pilot/pkg/features/pilot.go, default
    # true): whether a Gateway API gateway takes policies by their workloadSelector.
    selector_gateway_policy: bool = True
    # istiod's namespace (its Deployment's), where its Gateway class defaults ConfigMaps live;
    # None where no istiod could be listed.
    system_namespace: str | None = None
    # istiod's PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS (pilot/pkg/features/
    # experimental.go, default true): a deployed Gateway's pods take its labels.
    copy_gateway_labels: bool = True


AKS_MESH = Mesh(AKS_NAMESPACE, frozenset({"*"}), None)


def config_map_name(revision: str | None) -> str:
    """getMeshConfigMapName."""
    return "istio" if not revision or revision == "default" else f"istio-{revision}"


def owning_revision(kube: Kube, gateway: Mapping[str, Any]) -> str:
    """The revision of the istiod that owns ``gateway`` (tag_watcher.go IsMine)."""
    meta = gateway.get("metadata") or {}
    selected = (meta.get("labels") or {}).get(REVISION_LABEL)
    if selected is None and meta.get("namespace"):
        namespace = _read(lambda: kube.get("v1", "Namespace", str(meta["namespace"])))
        selected = ((namespace or {}).get("metadata") or {}).get("labels", {}).get(REVISION_LABEL)
    tag = selected or "default"
    hooks = _read(
        lambda: list(kube.list(WEBHOOKS, "MutatingWebhookConfiguration", label_selector=f"{TAG_LABEL}={tag}"))
    )
    for hook in sorted(hooks or [], key=lambda h: str(h["metadata"].get("name"))):
        revision = (hook["metadata"].get("labels") or {}).get(REVISION_LABEL)
        if revision:
            return str(revision)
    if selected:
        return str(selected)  # a revision's own name
    validator = _read(lambda: kube.get(WEBHOOKS, "ValidatingWebhookConfiguration", DEFAULT_VALIDATOR))
    return str(((validator or {}).get("metadata") or {}).get("labels", {}).get(REVISION_LABEL) or "default")


def _read(call: Callable[[], _T]) -> _T | None:
    """What ``call`` reads, or None where the user may not read it (403) or the API is not served."""
    try:
        return call()
    except (AuthError, NotInstalledError):
        return None


def istiod_of(kube: Kube, revision: str) -> dict[str, Any] | None:
    """The revision's istiod Deployment, in whatever namespace it runs (the first by namespace)."""
    found = _read(
        lambda: list(
            kube.list(
                "apps/v1", "Deployment", all_namespaces=True, label_selector=f"app=istiod,{REVISION_LABEL}={revision}"
            )
        )
    )
    return min(found, key=lambda d: str(d["metadata"]["namespace"])) if found else None


def _env(istiod: Mapping[str, Any], name: str) -> str | None:
    containers = ((istiod.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
    for container in containers:
        for env in container.get("env") or []:
            if env.get("name") == name and env.get("value"):
                return str(env["value"])
    return None


def _shared_name(istiod: Mapping[str, Any]) -> str | None:
    return _env(istiod, "SHARED_MESH_CONFIG")


def _flag(istiod: Mapping[str, Any], name: str) -> bool:
    """A boolean env var of istiod whose default is true, read as Go's strconv.ParseBool (pkg/env:
    an unparsable value keeps the default)."""
    return _env(istiod, name) not in ("0", "f", "F", "false", "FALSE", "False")


def _mesh_fields(kube: Kube, namespace: str, name: str) -> dict[str, Any] | None:
    """The fields of key ``mesh`` of a ConfigMap; None where it is missing or may not be read."""
    config_map = _read(lambda: kube.get("v1", "ConfigMap", name, namespace=namespace))
    if config_map is None:
        return None
    return fields(str((config_map.get("data") or {}).get("mesh") or ""), f"{namespace}/{name}")


def for_gateway(kube: Kube, gateway: Mapping[str, Any]) -> Mesh:
    """The mesh of the istiod that owns ``gateway``: the ConfigMaps of its revision's istiod,
    wherever it runs; else a ConfigMap of the revision in istio-system; else the AKS add-on's."""
    revision = owning_revision(kube, gateway)
    istiod = istiod_of(kube, revision)
    if istiod is not None:
        namespace = str(istiod["metadata"]["namespace"])
        name = config_map_name(revision)
        shared = _shared_name(istiod)
        user = (_mesh_fields(kube, namespace, shared) if shared else None) or {}
        own = _mesh_fields(kube, namespace, name) or {}
        sources = [f"{namespace}/{n}" for n, m in ((shared, user), (name, own)) if n and m]
        mesh = from_fields({**user, **own}, ", ".join(sources) or f"{namespace}/{name}")
        return replace(
            mesh,
            selector_gateway_policy=_flag(istiod, "ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY"),
            system_namespace=namespace,
            copy_gateway_labels=_flag(istiod, "PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS"),
        )
    name = config_map_name(revision)
    in_istio_system = _mesh_fields(kube, ISTIO_NAMESPACE, name)
    if in_istio_system is not None:
        return from_fields(in_istio_system, f"{ISTIO_NAMESPACE}/{name}")
    if revision != "default":
        aks_shared = f"{AKS_SHARED_PREFIX}{revision}"
        aks_user = _mesh_fields(kube, AKS_NAMESPACE, aks_shared)
        if aks_user:
            export_to = from_fields(aks_user, "").default_destination_rule_export_to
            return Mesh(AKS_NAMESPACE, export_to, f"{AKS_NAMESPACE}/{aks_shared}")
    return AKS_MESH


def fields(text: str, source: str) -> dict[str, Any]:
    """The top-level fields of a mesh config text; none for a text istiod could not read either
    (istiod keeps the mesh it had; akscli cannot know it)."""
    from akscli import yamlio

    try:
        mesh = yamlio.load(text, source=source, kubernetes=True) if text.strip() else {}
    except AkscliError:
        mesh = {}
    return dict(mesh) if isinstance(mesh, Mapping) else {}


def from_fields(mesh: Mapping[str, Any], source: str) -> Mesh:
    """The Mesh of the given fields, DefaultMeshConfig's where they have none."""
    root = mesh.get("rootNamespace")
    export_to = mesh.get("defaultDestinationRuleExportTo")
    return Mesh(
        str(root) if isinstance(root, str) and root else ISTIO_NAMESPACE,
        frozenset(str(e) for e in export_to) if isinstance(export_to, list) and export_to else frozenset({"*"}),
        source,
    )


def parse(text: str, source: str) -> Mesh:
    """The Mesh of a mesh config text."""
    return from_fields(fields(text, source), source)
