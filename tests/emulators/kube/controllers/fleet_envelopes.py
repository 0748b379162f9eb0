"""The envelope CRDs the hub agent's chart installs (``../shared/crds`` has none): ClusterResourceEnvelope
and ResourceEnvelope, v1beta1 only, served and stored, no short name, no status; ``data`` a map of 1 to
50 objects kept as written. upstream: kubefleet-dev/kubefleet e160c1cd
config/crd/bases/placement.kubernetes-fleet.io_clusterresourceenvelopes.yaml and
placement.kubernetes-fleet.io_resourceenvelopes.yaml (charts/hub-agent/templates/crds holds the same).

The simulator installs them so that envelopes can be stored and selected; it does not unwrap them
when it reports members (a member's row is about the envelope as one object)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.fleet_snapshots import placement_crd

_DATA = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 50,
    "additionalProperties": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
}


def _crd(kind: str, plural: str, scope: str) -> dict[str, Any]:
    """placement_crd's CRD (names, categories, scope) with the envelope's schema: ``data``, no spec or status."""
    crd = placement_crd(kind, plural, "-", scope, ("v1beta1",), {})
    crd["spec"]["names"].pop("shortNames")
    schema = {
        "type": "object",
        "required": ["data"],
        "properties": {**crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"], "data": _DATA},
    }
    for key in ("spec", "status"):
        schema["properties"].pop(key)
    crd["spec"]["versions"] = [
        {"name": "v1beta1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    ]
    return crd


CRDS = [
    _crd("ClusterResourceEnvelope", "clusterresourceenvelopes", "Cluster"),
    _crd("ResourceEnvelope", "resourceenvelopes", "Namespaced"),
]
