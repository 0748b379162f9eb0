"""A tiny in-memory reader for the kinds the Kubernetes emulator does not serve (admission
webhooks, aggregated APIServices): get by name and label-selected lists, as Kube offers them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from akscli.errors import NotInstalledError


def _matches(selector: str | None, labels: dict[str, str]) -> bool:
    for term in (selector or "").split(","):
        if not term:
            continue
        key, eq, value = term.partition("=")
        if (eq and labels.get(key) != value) or (not eq and key not in labels):
            return False
    return True


class FakeReader:
    def __init__(self, *objects: dict[str, Any], unserved: tuple[str, ...] = ()) -> None:
        self.objects = list(objects)
        self.unserved = unserved

    namespace = "default"  # the context's, as Kube.namespace

    def served_kinds(self, api_version: str) -> list[str]:
        """The kinds of the objects held in ``api_version``, as discovery would list them."""
        return sorted({o["kind"] for o in self.objects if o.get("apiVersion") == api_version} - set(self.unserved))

    def _served(self, kind: str) -> None:
        if kind in self.unserved:
            raise NotInstalledError(f"the cluster does not serve {kind}")

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        self._served(kind)
        for obj in self.objects:
            meta = obj["metadata"]
            if obj["kind"] == kind and meta["name"] == name and meta.get("namespace") == namespace:
                return obj
        return None

    def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        **_: Any,
    ) -> Iterator[dict[str, Any]]:
        self._served(kind)
        # of the field selectors, only metadata.name (a field every kind serves) is honoured
        named = dict(t.split("=", 1) for t in (field_selector or "").split(",") if "=" in t).get("metadata.name")
        for obj in self.objects:
            meta = obj["metadata"]
            if obj["kind"] != kind or (namespace and meta.get("namespace") != namespace):
                continue
            if named is not None and meta.get("name") != named:
                continue
            if _matches(label_selector, meta.get("labels") or {}):
                yield obj
