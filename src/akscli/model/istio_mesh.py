"""The mesh configuration of the istiod that serves a Gateway: its root namespace and the default
exportTo of DestinationRules, read where istiod reads them.

upstream: istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd)
* pilot/pkg/bootstrap/mesh.go getMeshConfigMapName, getConfigurationSources: istiod reads key
  ``mesh`` of ConfigMap ``istio`` (``istio-REVISION`` for a revision other than "default") in its
  own namespace.
* pkg/config/mesh/mesh.go DefaultMeshConfig: the fields the ConfigMap leaves out; rootNamespace
  istio-system (pkg/config/constants IstioSystemNamespace). The chart writes rootNamespace as
  istiod's namespace (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml,
  global.istioNamespace, istio-system by default).
* pilot/pkg/model/push_context.go initDefaultExportMaps: defaultDestinationRuleExportTo, "*" when
  the mesh sets none.
* Which istiod: a Gateway's ``istio.io/rev`` label names the revision that owns it
  (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/istio-gateway-api.md); without it the
  default revision's ConfigMap ``istio``.

AKS's Istio add-on runs istiod in aks-istio-system, and its MeshConfig blocks every field its table
does not list, rootNamespace among them (articles/aks/istio-meshconfig.md; the mesh-wide Telemetry
of istio-gateway-api.md lives in aks-istio-system): where no self-managed istiod's ConfigMap is in
istio-system, the root namespace is aks-istio-system. The add-on's defaultDestinationRuleExportTo
(an allowed field of its istio-shared-configmap-REVISION) is not read: "*" is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AkscliError, AuthError
from akscli.kube.client import Kube

AKS_NAMESPACE = "aks-istio-system"
ISTIO_NAMESPACE = "istio-system"
REVISION_LABEL = "istio.io/rev"


@dataclass(frozen=True)
class Mesh:
    root_namespace: str
    default_destination_rule_export_to: frozenset[str]
    # Where it was read ("istio-system/istio"); None for the AKS add-on's fixed root namespace.
    source: str | None


AKS_MESH = Mesh(AKS_NAMESPACE, frozenset({"*"}), None)


def config_map_name(revision: str | None) -> str:
    """getMeshConfigMapName."""
    return "istio" if not revision or revision == "default" else f"istio-{revision}"


def for_gateway(kube: Kube, gateway: Mapping[str, Any]) -> Mesh:
    """The mesh of the istiod that owns ``gateway``: a self-managed istiod's ConfigMap in
    istio-system, else the AKS add-on's. Where istio-system may not be read (a user of the
    model's namespace only), the AKS add-on's as well: what akscli took before it read the mesh."""
    labels = (gateway.get("metadata") or {}).get("labels") or {}
    name = config_map_name(labels.get(REVISION_LABEL))
    try:
        config_map = kube.get("v1", "ConfigMap", name, namespace=ISTIO_NAMESPACE)
    except AuthError:
        return AKS_MESH
    if config_map is None:
        return AKS_MESH
    return parse(str((config_map.get("data") or {}).get("mesh") or ""), f"{ISTIO_NAMESPACE}/{name}")


def parse(text: str, source: str) -> Mesh:
    """The fields of a mesh config text, DefaultMeshConfig's where it has none. A text istiod could
    not read either leaves the defaults (istiod keeps the mesh it had; akscli cannot know it)."""
    from akscli import yamlio

    try:
        mesh = yamlio.load(text, source=source, kubernetes=True) if text.strip() else {}
    except AkscliError:
        mesh = {}
    if not isinstance(mesh, Mapping):
        mesh = {}
    root = mesh.get("rootNamespace")
    export_to = mesh.get("defaultDestinationRuleExportTo")
    return Mesh(
        str(root) if isinstance(root, str) and root else ISTIO_NAMESPACE,
        frozenset(str(e) for e in export_to) if isinstance(export_to, list) and export_to else frozenset({"*"}),
        source,
    )
