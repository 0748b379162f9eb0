"""The one reader of an object's events (core/v1 Event, by involvedObject), oldest first: the
wait's last word on an object, `model status`'s recent events, the autoscaler's note on a pod and
`ray cluster status`'s diagnosis all read them here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube


def event_order(event: Mapping[str, Any]) -> tuple[str, int]:
    """When an event was last seen, for sorting: the series' last observation, lastTimestamp,
    eventTime, then its creation (upstream: kubernetes/kubernetes v1.32.0 staging/src/k8s.io/api/
    core/v1/types.go, Event and EventSeries). Recorders write seconds, so two events of one second
    are ordered by resourceVersion: opaque by contract, but the later write of one API server."""
    meta = event.get("metadata") or {}
    when = str(
        (event.get("series") or {}).get("lastObservedTime")
        or event.get("lastTimestamp")
        or event.get("eventTime")
        or meta.get("creationTimestamp")
        or ""
    )
    version = str(meta.get("resourceVersion") or "")
    return when[:19], int(version) if version.isdigit() else 0


def object_events(kube: Kube, namespace: str | None, name: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Events about one object (one request; ``kind`` narrows them on the server), oldest first."""
    selector = f"involvedObject.name={name}" + (f",involvedObject.kind={kind}" if kind else "")
    events = list(kube.list("v1", "Event", namespace=namespace, field_selector=selector, page_size=100))
    events.sort(key=event_order)
    return events
