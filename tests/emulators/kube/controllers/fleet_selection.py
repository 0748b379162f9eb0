"""What a KubeFleet placement selects on the hub (part of the hub simulator, fleet.py): its
resource selectors resolved to resource identifiers, a selected namespace with the objects in it,
less what every cluster makes itself (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/utils/controller/resource_selector_resolver.go, ShouldPropagateObj)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_scheduler import labels_of as _labels
from tests.emulators.kube.controllers.fleet_scheduler import matches_selector

# Kinds looked up inside a selected namespace. The hub copies every namespaced kind it serves
# (kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/resource_selector_resolver.go
# fetchAllResourcesInOneNamespace lists each of InformerManager.GetNameSpaceScopedResources); these
# are what akscli places: `model deploy --fleet-hub --expose` adds the Gateway API route and the
# Inference Extension's pool to the model's namespace.
NAMESPACED_CONTENT = [
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("kaito.sh/v1beta1", "Workspace"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("inference.networking.k8s.io/v1", "InferencePool"),
]
CONTENT_KINDS = {"Namespace", *(kind for _, kind in NAMESPACED_CONTENT)}
# Namespaces KubeFleet never places with their contents (upstream: kubefleet-dev/kubefleet e160c1cd
# pkg/utils/common.go IsReservedNamespace: FleetNSNamePrefix "fleet-", KubeNSNamePrefix "kube-").
RESERVED_PREFIXES = ("fleet-", "kube-")
# The hub agent skips `default` as it does those (kubefleet-dev/kubefleet e160c1cd
# cmd/hubagent/workload/setup.go SetupControllers: skippedNamespaces["default"] = true;
# pkg/utils/common.go ShouldPropagateNamespace).
SKIPPED = ("default",)
# controller.NewUserError (kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/controller.go):
# "%w: %v" with ErrUserError.
USER_ERROR = "failed to process the request due to a client error: "


def should_propagate(kind: str, obj: Mapping[str, Any]) -> bool:
    """ShouldPropagateObj: what every cluster makes itself is not placed: a namespace's
    kube-root-ca.crt, its ServiceAccount default, a service-account-token Secret, and a
    ReplicaSet or ControllerRevision a controller owns (upstream: kubefleet-dev/kubefleet e160c1cd
    pkg/utils/controller/resource_selector_resolver.go ShouldPropagateObj)."""
    md = obj.get("metadata") or {}
    if kind in ("ReplicaSet", "ControllerRevision"):
        return not md.get("ownerReferences")
    return not (
        (kind == "ConfigMap" and md.get("name") == "kube-root-ca.crt")
        or (kind == "ServiceAccount" and md.get("name") == "default")
        or (kind == "Secret" and obj.get("type") == "kubernetes.io/service-account-token")
    )


class ResourceSelection:
    """Mixed into fleet.FleetHubController: the placement's selected resources."""

    @staticmethod
    def selected_objects(cluster: Any, identifiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The objects behind ``selected_resources``' identifiers, as stored now."""
        found = []
        for ident in identifiers:
            api_version = f"{ident['group']}/{ident['version']}" if ident["group"] else ident["version"]
            obj = cluster.get(api_version, ident["kind"], ident.get("namespace"), ident["name"])
            if obj is not None:
                found.append(obj)
        return found

    def selection_error(self, cluster: Any, placement: Mapping[str, Any]) -> str | None:
        """The user error SelectResourcesForPlacement returns, as the placement controller's
        Scheduled=False InvalidResourceSelectors message has it, or None (upstream:
        kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/resource_selector_resolver.go
        gatherSelectedResource, selector by selector: fetchAllResourcesInOneNamespace refuses a
        reserved namespace a Namespace selector of the default scope (NamespaceWithResources) picks,
        by name even where it does not exist, before reading it; then a resource selected a second
        time is "found duplicate resource")."""
        meta = placement["metadata"]
        namespace = meta.get("namespace")
        seen: set[tuple[str, ...]] = set()
        for sel in (placement.get("spec") or {}).get("resourceSelectors") or []:
            scope = sel.get("selectionScope") or "NamespaceWithResources"
            if sel.get("kind") == "Namespace" and scope == "NamespaceWithResources" and namespace is None:
                if sel.get("name"):
                    names = [str(sel["name"])]
                else:
                    names = [
                        str(o["metadata"]["name"])
                        for o in cluster.list("v1", "Namespace")
                        if matches_selector(sel.get("labelSelector"), _labels(o))
                    ]
                for ns in names:
                    if ns.startswith(RESERVED_PREFIXES) or ns in SKIPPED:
                        # the upstream message, its typo included
                        return (
                            f"{USER_ERROR}invalid clusterRresourcePlacement {meta['name']}: namespace {ns} "
                            "is not allowed to propagate"
                        )
            for ident in self._select(cluster, sel, namespace):
                key = tuple(str(ident.get(f) or "") for f in ("group", "version", "kind", "name", "namespace"))
                if key in seen:
                    # fmt's %+v of a ResourceIdentifier (apis/placement/v1beta1/clusterresourceplacement_types.go)
                    group, version, kind, name, ns = key
                    return (
                        f"{USER_ERROR}found duplicate resource {{Group:{group} Version:{version} Kind:{kind} "
                        f"Name:{name} Namespace:{ns} Envelope:<nil>}}"
                    )
                seen.add(key)
        return None

    def selected_resources(self, cluster: Any, placement: dict[str, Any]) -> list[dict[str, Any]]:
        namespace = placement["metadata"].get("namespace")
        found: list[dict[str, Any]] = []
        for sel in (placement.get("spec") or {}).get("resourceSelectors") or []:
            found += self._select(cluster, sel, namespace)
        return found

    def _select(self, cluster: Any, sel: Mapping[str, Any], namespace: str | None) -> list[dict[str, Any]]:
        """What one resource selector picks."""
        found: list[dict[str, Any]] = []
        group, version, kind = sel.get("group", ""), sel["version"], sel["kind"]
        api_version = f"{group}/{version}" if group else version
        if sel.get("name"):
            obj = cluster.get(api_version, kind, namespace, sel["name"])
            objects = [obj] if obj else []
        else:
            try:
                objects = [
                    o
                    for o in cluster.list(api_version, kind, namespace)
                    if matches_selector(sel.get("labelSelector"), _labels(o))
                ]
            except Exception:  # an API the hub does not serve selects nothing
                objects = []
        for obj in (o for o in objects if should_propagate(kind, o)):
            found.append(self._ident(group, version, kind, obj, namespace))
            if kind == "Namespace" and sel.get("selectionScope", "NamespaceWithResources") == "NamespaceWithResources":
                ns = obj["metadata"]["name"]
                for content_version, content_kind in NAMESPACED_CONTENT:
                    try:
                        items = cluster.list(content_version, content_kind, ns)
                    except Exception:
                        continue
                    cgroup, _, cver = content_version.rpartition("/")
                    for item in (i for i in items if should_propagate(content_kind, i)):
                        found.append(self._ident(cgroup, cver, content_kind, item, ns))
        return found

    @staticmethod
    def _ident(group: str, version: str, kind: str, obj: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
        ident = {"group": group, "version": version, "kind": kind, "name": obj["metadata"]["name"]}
        ns = obj["metadata"].get("namespace") or (namespace if kind != "Namespace" else None)
        if ns:
            ident["namespace"] = ns
        return ident
