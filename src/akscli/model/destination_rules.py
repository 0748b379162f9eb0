"""Which DestinationRule an Istio proxy applies to a Service, as istiod resolves it: the rule of
the proxy's own namespace first, then one the Service's namespace exports to it, then one the mesh
root namespace exports to it; within a namespace the exact host before the most specific wildcard;
rules of one host merged, the oldest's trafficPolicy winning.

upstream: istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd)
* pilot/pkg/model/push_context.go: setDestinationRules (rules sorted by creationTimestamp, then
  name, then namespace; a rule with no exportTo, "*", "." or its own namespace is namespace-local;
  one that is not private-only is exported by its namespace; a private-only rule of the root
  namespace is the root's local rule), destinationRule (steps 1 to 4 above; a proxy in the root
  namespace reads the root's local rules first), getExportedDestinationRuleFromNamespace (exportTo
  empty, "*" or the proxy's namespace).
* pilot/pkg/model/destination_rule.go mergeDestinationRule: rules of one host with equal exportTo
  are merged and the first trafficPolicy stays; with ENABLE_ENHANCED_DESTINATIONRULE_MERGE (on by
  default, pilot/pkg/features/experimental.go) a rule is merged into one whose exportTo it equals
  or is a superset of, else kept apart (the loop's last verdict decides, as upstream's does).
* pilot/pkg/model/sidecar.go SidecarScope.DestinationRule: of the rules found, the last without a
  workloadSelector applies.
* pilot/pkg/model/config.go: ResolveShortnameToFQDN (a host without a dot is NAME.NAMESPACE.svc.
  DOMAIN of the rule's namespace), MostSpecificHostMatch.
* The root namespace is meshConfig.rootNamespace, by default istiod's namespace
  (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml): aks-istio-system on AKS
  (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/istio-deploy-addon.md,
  app-routing-gateway-api.md).

Rules with a workloadSelector are left out: they are private to their namespace and apply only to
the proxies they select, whose labels akscli does not read. The mesh's defaultDestinationRuleExportTo
is taken as Istio's default, "*".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROOT_NAMESPACE = "aks-istio-system"
DOMAIN = "cluster.local"


@dataclass
class _Consolidated:
    rule: Mapping[str, Any]
    export_to: frozenset[str]
    # The rule's trafficPolicy after merging (the first rule's that has one).
    policy: Mapping[str, Any] | None
    names: list[str] = field(default_factory=list)


def fqdn(host: str, namespace: str) -> str:
    """ResolveShortnameToFQDN: a host without a dot is a Service of the rule's namespace."""
    if not host or host == "*" or "." in host or ":" in host:
        return host
    return f"{host}.{namespace}.svc.{DOMAIN}"


def _meta(rule: Mapping[str, Any]) -> Mapping[str, Any]:
    return rule.get("metadata") or {}


def _order(rule: Mapping[str, Any]) -> tuple[str, str, str]:
    meta = _meta(rule)
    return str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""), str(meta.get("namespace") or "")


def _merge(index: dict[str, list[_Consolidated]], rule: Mapping[str, Any], export_to: frozenset[str]) -> None:
    """mergeDestinationRule, for rules without a workloadSelector."""
    spec = rule.get("spec") or {}
    host = fqdn(str(spec.get("host") or ""), str(_meta(rule).get("namespace") or ""))
    policy = spec.get("trafficPolicy") or None
    name = f"{_meta(rule).get('namespace')}/{_meta(rule).get('name')}"
    existing = index.get(host)
    if not existing:
        index[host] = [_Consolidated(rule, export_to, policy, [name])]
        return
    apart = True
    for merged in existing:
        if export_to != merged.export_to and not (merged.export_to and export_to > merged.export_to):
            apart = True
            continue
        apart = False  # both without a workloadSelector: merged
        merged.names.append(name)
        if merged.policy is None and policy is not None:
            merged.policy = policy
    if apart:
        existing.append(_Consolidated(rule, export_to, policy, [name]))


def _match(index: Mapping[str, list[_Consolidated]], host: str) -> list[_Consolidated]:
    """MostSpecificHostMatch: the exact host, else the longest wildcard that matches it."""
    if host in index:
        return index[host]
    wildcards = [h for h in index if h.startswith("*") and host.endswith(h[1:])]
    return index[max(wildcards, key=len)] if wildcards else []


def _visible(found: list[_Consolidated], client: str) -> list[_Consolidated]:
    return [c for c in found if not c.export_to or "*" in c.export_to or client in c.export_to]


@dataclass
class Applied:
    """The DestinationRule a proxy applies to a host: its merged trafficPolicy and where it came from."""

    policy: Mapping[str, Any]
    names: list[str]


def applied(
    rules: Iterable[Mapping[str, Any]],
    host: str,
    service_namespace: str,
    client_namespace: str,
    root_namespace: str = ROOT_NAMESPACE,
) -> Applied | None:
    """The rule a proxy of ``client_namespace`` applies to ``host`` (an FQDN of a Service of
    ``service_namespace``), or None where none does."""
    local: dict[str, dict[str, list[_Consolidated]]] = {}
    exported: dict[str, dict[str, list[_Consolidated]]] = {}
    root_local: dict[str, list[_Consolidated]] = {}
    for rule in sorted((r for r in rules if not (r.get("spec") or {}).get("workloadSelector")), key=_order):
        namespace = str(_meta(rule).get("namespace") or "")
        export_to = frozenset(str(e) for e in (rule.get("spec") or {}).get("exportTo") or [])
        if not export_to or export_to & {"*", ".", namespace}:
            _merge(local.setdefault(namespace, {}), rule, export_to)
        private = len(export_to) == 1 and bool(export_to & {".", namespace})
        if not private:
            _merge(exported.setdefault(namespace, {}), rule, export_to)
        elif namespace == root_namespace:
            _merge(root_local, rule, export_to)
    if client_namespace != root_namespace:
        found = _match(local.get(client_namespace, {}), host)
    else:
        found = _match(root_local, host)
    if not found:
        found = _visible(_match(exported.get(service_namespace, {}), host), client_namespace)
    if not found:
        found = _visible(_match(exported.get(root_namespace, {}), host), client_namespace)
    if not found:
        return None
    last = found[-1]
    return Applied(last.policy or {}, last.names)
