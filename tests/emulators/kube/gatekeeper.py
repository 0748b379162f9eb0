"""AKS Deployment Safeguards' probes constraint, as the Azure Policy add-on leaves it on a cluster:
the Gatekeeper CRD its template makes and one constraint object.

- The CRD: open-policy-agent/frameworks 9a75fe2c constraint/pkg/client/crds/crds.go CreateCRD (group
  constraints.gatekeeper.sh, plural and singular the kind lower-cased, categories constraint and
  constraints, scope Cluster, v1beta1 stored and served, v1alpha1 served).
- The kind and parameters: Azure/draft b180ebcd pkg/safeguards/lib/manifests/v2.0.0/
  container-enforce-probes/template.yaml (K8sAzureV2ContainerEnforceProbes) and constraint.yaml
  (match kinds [""]/[Pod]; enforceProbes [readinessProbe, livenessProbe]; excludedContainers and
  excludedImages empty).
- The name: the add-on's ``azurepolicy-<template name>-<hash>``, as AKS's own deny messages name the
  constraint (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/deployment-safeguards.md:
  ``[azurepolicy-k8sazurev1antiaffinityrules-ceffa082711831ebffd1]``); the hash here is made up.
- ``excludedNamespaces``: the assignment's parameter in ``spec.match`` (Azure/azure-policy e7cee47e
  built-in-references/Kubernetes/container-probes-required/constraint.yaml); its default list is
  ContainerEnforceProbes.json's (Azure/azure-policy f4a50bac built-in-policies/policyDefinitions/
  Kubernetes/ContainerEnforceProbes.json).
- ``enforcementAction``: Deny maps to ``deny``; Warn level to ``warn`` (Gatekeeper's actions:
  open-policy-agent/gatekeeper dd8507eb pkg/util/enforcement_action.go).

The emulator's Gatekeeper webhook (admission_gatekeeper.py; upstream open-policy-agent/gatekeeper
pkg/webhook/policy.go) judges Pods against the probes constraints stored; akscli's preflight
refuses first, before anything is sent.
"""

from __future__ import annotations

from typing import Any

GROUP = "constraints.gatekeeper.sh"
PROBES_KIND = "K8sAzureV2ContainerEnforceProbes"
PROBES_NAME = "azurepolicy-k8sazurev2containerenforceprobes-0f1e2d3c4b5a69788796"
DEFAULT_EXCLUDED = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]


def install_constraint_crd(emu: Any, kind: str = PROBES_KIND) -> None:
    plural = kind.lower()
    if emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, f"{plural}.{GROUP}") is not None:
        return
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    emu.cluster.create(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{GROUP}"},
            "spec": {
                "group": GROUP,
                "scope": "Cluster",
                "names": {
                    "plural": plural,
                    "singular": plural,
                    "kind": kind,
                    "listKind": f"{kind}List",
                    "categories": ["constraint", "constraints"],
                },
                "versions": [
                    {"name": "v1beta1", "served": True, "storage": True, "schema": schema},
                    {"name": "v1alpha1", "served": True, "storage": False, "schema": schema},
                ],
            },
        }
    )


def probes_constraint(
    *,
    action: str = "deny",
    excluded: list[str] | None = None,
    probes: list[str] | None = None,
    excluded_images: list[str] | None = None,
    name: str = PROBES_NAME,
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1beta1",
        "kind": PROBES_KIND,
        "metadata": {"name": name},
        "spec": {
            "enforcementAction": action,
            "match": {
                "excludedNamespaces": DEFAULT_EXCLUDED + list(excluded or []),
                "kinds": [{"apiGroups": [""], "kinds": ["Pod"]}],
            },
            "parameters": {
                "enforceProbes": probes or ["readinessProbe", "livenessProbe"],
                "excludedContainers": [],
                "excludedImages": list(excluded_images or []),
            },
        },
    }


NO_PRIVILEGE_KIND = "K8sAzureV2NoPrivilege"
NO_PRIVILEGE_NAME = "azurepolicy-k8sazurev2noprivilege-1a2b3c4d5e6f70819293"


def install_no_privilege_safeguard(emu: Any, action: str = "deny") -> dict[str, Any]:
    """Pod Security Standards' privileged constraint as the safeguards assign it (Azure/azure-policy
    f4a50bac built-in-policies/policyDefinitions/Kubernetes/ContainerNoPrivilege.json: kinds [Pod],
    the default excludedNamespaces, no excludedContainers or excludedImages), and its CRD."""
    install_constraint_crd(emu, NO_PRIVILEGE_KIND)
    obj = probes_constraint(action=action, name=NO_PRIVILEGE_NAME)
    obj["kind"] = NO_PRIVILEGE_KIND
    obj["spec"]["parameters"] = {"excludedContainers": [], "excludedImages": []}
    emu.cluster.create(obj)
    return obj


def install_probes_safeguard(emu: Any, **kwargs: Any) -> dict[str, Any]:
    """The CRD and one probes constraint (``probes_constraint``'s arguments); returns the constraint."""
    install_constraint_crd(emu)
    obj = probes_constraint(**kwargs)
    emu.cluster.create(obj)
    return obj


CONFIG_GROUP = "config.gatekeeper.sh"
GATEKEEPER_NAMESPACE = "gatekeeper-system"


def install_config(emu: Any, excluded: list[str], processes: list[str]) -> dict[str, Any]:
    """Gatekeeper's Config singleton, ``config`` in gatekeeper-system (open-policy-agent/gatekeeper
    dd8507eb pkg/keys/config.go), with one ``spec.match`` entry (apis/config/v1alpha1/config_types.go
    MatchEntry), and its CRD (charts/gatekeeper/crds/config-customresourcedefinition.yaml: group
    config.gatekeeper.sh, kind Config, plural configs, Namespaced, v1alpha1)."""
    name = f"configs.{CONFIG_GROUP}"
    if emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, name) is None:
        schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
        emu.cluster.create(
            {
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": name},
                "spec": {
                    "group": CONFIG_GROUP,
                    "scope": "Namespaced",
                    "names": {"plural": "configs", "singular": "config", "kind": "Config", "listKind": "ConfigList"},
                    "versions": [{"name": "v1alpha1", "served": True, "storage": True, "schema": schema}],
                },
            }
        )
    if emu.cluster.get("v1", "Namespace", None, GATEKEEPER_NAMESPACE) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": GATEKEEPER_NAMESPACE}})
    obj = {
        "apiVersion": f"{CONFIG_GROUP}/v1alpha1",
        "kind": "Config",
        "metadata": {"name": "config", "namespace": GATEKEEPER_NAMESPACE},
        "spec": {"match": [{"excludedNamespaces": list(excluded), "processes": list(processes)}]},
    }
    emu.cluster.create(obj)
    return obj
