"""Which DestinationRule an Istio proxy applies to a Service, as istiod resolves it: the rule of
the proxy's own namespace first, then one the Service's namespace exports to it, then one the mesh
root namespace exports to it; within a namespace the exact host before the most specific wildcard;
rules of one host merged, the oldest's trafficPolicy winning.

upstream: istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd)
* pilot/pkg/model/push_context.go: sortConfigBySelectorAndCreationTime (rules with a
  workloadSelector first, then by creationTimestamp, name, namespace); setDestinationRules (a rule
  with a workloadSelector has exportTo "." whatever it says; a rule with no exportTo, "*", "." or
  its own namespace is namespace-local; one that is not private-only is exported by its namespace,
  an empty exportTo being private-only when the mesh's defaultDestinationRuleExportTo has "."; a
  private-only rule of the root namespace is the root's local rule), destinationRule (steps 1 to 4
  above; a proxy in the root namespace reads the root's local rules first),
  getExportedDestinationRuleFromNamespace (exportTo empty, "*" or the proxy's namespace);
  initDefaultExportMaps (defaultDestinationRuleExportTo, "*" when the mesh sets none).
* pilot/pkg/model/destination_rule.go mergeDestinationRule: rules of one host with equal exportTo
  are merged and the first trafficPolicy stays; with ENABLE_ENHANCED_DESTINATIONRULE_MERGE (on by
  default, pilot/pkg/features/experimental.go) a rule is merged into one whose exportTo it equals
  or is a superset of, else kept apart; rules with different workloadSelectors are kept apart,
  rules with the same one merge; a rule without a selector whose exportTo equals a selector-bearing
  rule's (".") is merged into that rule and not kept on its own (the loop's last verdict decides,
  as upstream's does).
* pilot/pkg/model/sidecar.go SidecarScope.DestinationRule: for outbound traffic (the gateway's
  ext_proc cluster: pilot/pkg/networking/core/cluster.go buildOutboundClusters) the first rule of
  the proxy's own namespace whose workloadSelector matchLabels are a subset of the proxy's labels
  applies; else the last without a workloadSelector.
* pilot/pkg/model/config.go: ResolveShortnameToFQDN (a host without a dot is NAME.NAMESPACE.svc.
  DOMAIN of the rule's namespace), MostSpecificHostMatch.
* The root namespace is meshConfig.rootNamespace, by default istiod's namespace
  (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml): aks-istio-system on AKS
  (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/istio-deploy-addon.md,
  app-routing-gateway-api.md).
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
    # The first rule's workloadSelector matchLabels (None: the rule has no workloadSelector).
    selector: Mapping[str, str] | None
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


def selector(rule: Mapping[str, Any]) -> dict[str, str] | None:
    """The rule's workloadSelector matchLabels; None without a workloadSelector."""
    found = (rule.get("spec") or {}).get("workloadSelector")
    if found is None:
        return None
    return {str(k): str(v) for k, v in ((found or {}).get("matchLabels") or {}).items()}


def _merge(index: dict[str, list[_Consolidated]], rule: Mapping[str, Any], export_to: frozenset[str]) -> None:
    """mergeDestinationRule."""
    spec = rule.get("spec") or {}
    host = fqdn(str(spec.get("host") or ""), str(_meta(rule).get("namespace") or ""))
    policy = spec.get("trafficPolicy") or None
    name = f"{_meta(rule).get('namespace')}/{_meta(rule).get('name')}"
    labels = selector(rule)
    existing = index.get(host)
    if not existing:
        index[host] = [_Consolidated(rule, export_to, labels, policy, [name])]
        return
    apart = True
    for merged in existing:
        if export_to == merged.export_to:
            apart = False
        elif merged.export_to and export_to > merged.export_to:
            apart = True
        else:
            apart = True
            continue
        both_without = labels is None and merged.selector is None
        both_with = labels is not None and merged.selector is not None
        if both_with and labels != merged.selector:
            apart = True
            continue
        if both_without or both_with:
            apart = False
        merged.names.append(name)
        if merged.policy is None and policy is not None:
            merged.policy = policy
    if apart:
        existing.append(_Consolidated(rule, export_to, labels, policy, [name]))


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


def _sort_key(rule: Mapping[str, Any]) -> tuple[bool, str, str, str]:
    """sortConfigBySelectorAndCreationTime: rules with a workloadSelector first."""
    return (selector(rule) is None, *_order(rule))


def applied(
    rules: Iterable[Mapping[str, Any]],
    host: str,
    service_namespace: str,
    client_namespace: str,
    root_namespace: str = ROOT_NAMESPACE,
    client_labels: Mapping[str, str] | None = None,
    default_export_to: frozenset[str] = frozenset({"*"}),
) -> Applied | None:
    """The rule a proxy of ``client_namespace`` with ``client_labels`` applies to ``host`` (an FQDN
    of a Service of ``service_namespace``) for its outbound traffic, or None where none does."""
    local: dict[str, dict[str, list[_Consolidated]]] = {}
    exported: dict[str, dict[str, list[_Consolidated]]] = {}
    root_local: dict[str, list[_Consolidated]] = {}
    for rule in sorted(rules, key=_sort_key):
        namespace = str(_meta(rule).get("namespace") or "")
        export_to = frozenset(str(e) for e in (rule.get("spec") or {}).get("exportTo") or [])
        if selector(rule) is not None:
            export_to = frozenset({"."})  # "destination rules with workloadSelector should not be exported"
        if not export_to or export_to & {"*", ".", namespace}:
            _merge(local.setdefault(namespace, {}), rule, export_to)
        private = (not export_to and "." in default_export_to) or (
            len(export_to) == 1 and bool(export_to & {".", namespace})
        )
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
    chosen = _for_proxy(found, client_namespace, client_labels or {})
    return None if chosen is None else Applied(chosen.policy or {}, chosen.names)


def _for_proxy(found: list[_Consolidated], client_namespace: str, labels: Mapping[str, str]) -> _Consolidated | None:
    """SidecarScope.DestinationRule, outbound: the first rule of the proxy's namespace whose
    workloadSelector selects the proxy, else the last rule without a workloadSelector."""
    catch_all = None
    for merged in found:
        if merged.selector is None:
            catch_all = merged
        elif str(_meta(merged.rule).get("namespace") or "") == client_namespace and all(
            labels.get(k) == v for k, v in merged.selector.items()
        ):
            return merged
    return catch_all


def has_selectors(rules: Iterable[Mapping[str, Any]], namespace: str) -> bool:
    """Whether a rule of ``namespace`` has a workloadSelector: only then do the proxy's labels matter
    (a selector-bearing rule applies only to proxies of its own namespace)."""
    return any(str(_meta(r).get("namespace") or "") == namespace and selector(r) is not None for r in rules)
