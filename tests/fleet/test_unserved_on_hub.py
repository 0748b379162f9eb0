"""What the hub already knows members cannot apply is read from ClusterResourcePlacements and from the
namespaced ResourcePlacements too (upstream: kubefleet-dev/kubefleet e160c1cd
config/crd/bases/placement.kubernetes-fleet.io_resourceplacements.yaml; the same failedPlacements)."""

from __future__ import annotations

from typing import Any

from akscli.errors import AuthError
from akscli.fleet.matching import unserved_on_hub

NO_ROUTE = 'failed to find GVR from member cluster client REST mapping: no matches for kind "HTTPRoute"'


def _placement(kind: str, name: str, namespace: str | None, member: str) -> dict[str, Any]:
    failed = {
        "group": "gateway.networking.k8s.io",
        "version": "v1",
        "kind": "HTTPRoute",
        "name": "phi-4",
        "namespace": namespace or "phi-4",
        "condition": {"type": "Applied", "status": "False", "reason": "DecodingErred", "message": NO_ROUTE},
    }
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"kind": kind, "metadata": meta, "status": {"placementStatuses": [{"clusterName": member,
            "failedPlacements": [failed]}]}}  # fmt: skip


class _Hub:
    def __init__(self, by_kind: dict[str, list[dict[str, Any]] | Exception]) -> None:
        self.by_kind = by_kind
        self.asked: list[tuple[str, bool]] = []

    def list(self, api_version: str, kind: str, *, all_namespaces: bool = False, **_: Any) -> list[dict[str, Any]]:
        self.asked.append((kind, all_namespaces))
        found = self.by_kind.get(kind, [])
        if isinstance(found, Exception):
            raise found
        return found


def test_a_resource_placement_that_failed_on_a_member_is_known_by_its_namespace_and_name() -> None:
    hub = _Hub({"ResourcePlacement": [_placement("ResourcePlacement", "route", "team-a", "gpu-west")]})
    assert unserved_on_hub(hub) == {"HTTPRoute (gateway.networking.k8s.io/v1)": {"gpu-west": "team-a/route"}}  # type: ignore[arg-type]
    assert ("ResourcePlacement", True) in hub.asked


def test_resource_placements_this_user_may_not_list_leave_what_the_cluster_placements_tell() -> None:
    crp = _placement("ClusterResourcePlacement", "phi-4", None, "gpu-east")
    hub = _Hub({"ClusterResourcePlacement": [crp], "ResourcePlacement": AuthError("forbidden")})
    assert unserved_on_hub(hub) == {"HTTPRoute (gateway.networking.k8s.io/v1)": {"gpu-east": "phi-4"}}  # type: ignore[arg-type]
