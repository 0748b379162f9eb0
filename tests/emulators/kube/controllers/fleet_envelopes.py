"""The envelope CRDs the hub agent's chart installs (``../shared/crds`` has none): ClusterResourceEnvelope
and ResourceEnvelope, v1beta1 only, served and stored, no short name, no status; ``data`` a map of 1 to
50 objects kept as written. upstream: kubefleet-dev/kubefleet e160c1cd
config/crd/bases/placement.kubernetes-fleet.io_clusterresourceenvelopes.yaml and
placement.kubernetes-fleet.io_resourceenvelopes.yaml (charts/hub-agent/templates/crds holds the same).

The simulator installs them so that envelopes can be stored and selected; it does not unwrap them
when it reports members (a member's row is about the envelope as one object)."""

from __future__ import annotations

from typing import Any

GROUP = "placement.kubernetes-fleet.io"

_DATA = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 50,
    "additionalProperties": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
}


def _crd(kind: str, plural: str, scope: str) -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "data": _DATA,
        },
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "names": {
                "categories": ["fleet", "fleet-placement"],
                "kind": kind,
                "listKind": kind + "List",
                "plural": plural,
                "singular": kind.lower(),
            },
            "scope": scope,
            "versions": [{"name": "v1beta1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }


CRDS = [
    _crd("ClusterResourceEnvelope", "clusterresourceenvelopes", "Cluster"),
    _crd("ResourceEnvelope", "resourceenvelopes", "Namespaced"),
]
