"""One change to a Kubernetes object, built before it is sent.

Commands that patch, create or delete objects one by one (not through the apply engine) build
their changes as ``Write`` values: the real run sends them, ``--dry-run=client`` prints them
(``describe``) and ``--dry-run=server`` sends them with ``dryRun=All``, so that the API server
validates and admits them and persists nothing (kubectl's ``--dry-run=server``,
kubernetes/kubectl pkg/cmd/util/helpers.go GetDryRunStrategy). One request, three uses: what a
dry run shows is what a run sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class Write:
    """A ``patch``, ``create`` or ``delete`` of one object."""

    verb: str
    api_version: str
    kind: str
    name: str
    namespace: str | None = None
    body: Any = None
    content_type: str = MERGE_PATCH
    subresource: str | None = None

    @classmethod
    def patch(
        cls,
        obj: Mapping[str, Any],
        body: Any,
        *,
        content_type: str = MERGE_PATCH,
        subresource: str | None = None,
    ) -> Write:
        """A patch of the object ``obj`` (as read from the API server)."""
        meta = obj["metadata"]
        return cls(
            "patch",
            str(obj["apiVersion"]),
            str(obj["kind"]),
            str(meta["name"]),
            meta.get("namespace"),
            body,
            content_type,
            subresource,
        )

    @classmethod
    def create(cls, obj: Mapping[str, Any]) -> Write:
        meta = obj["metadata"]
        return cls("create", str(obj["apiVersion"]), str(obj["kind"]), str(meta["name"]), meta.get("namespace"), obj)

    @property
    def ref(self) -> str:
        """kubectl's ``-o name`` form of the object: ``kind.group/name``."""
        group = self.api_version.split("/")[0] if "/" in self.api_version else ""
        return f"{self.kind.lower()}{'.' + group if group else ''}/{self.name}"

    def send(self, kube: Kube, *, dry_run: bool = False) -> dict[str, Any] | None:
        """Send it; ``dry_run`` adds ``dryRun=All``. The API server's answer (None for a delete)."""
        if self.verb == "create":
            return kube.create(self.body, dry_run=dry_run)
        if self.verb == "delete":
            kube.delete(self.api_version, self.kind, self.name, namespace=self.namespace, dry_run=dry_run)
            return None
        return kube.patch(
            self.api_version,
            self.kind,
            self.name,
            self.body,
            namespace=self.namespace,
            content_type=self.content_type,
            subresource=self.subresource,
            dry_run=dry_run,
        )

    def describe(self) -> dict[str, Any]:
        """What ``--dry-run`` prints: a created object as itself (as kubectl create --dry-run
        prints it), a patch or a delete as the request that names its object."""
        if self.verb == "create":
            return dict(self.body)
        request: dict[str, Any] = {
            "method": self.verb.upper(),
            "apiVersion": self.api_version,
            "kind": self.kind,
            "name": self.name,
        }
        if self.namespace:
            request["namespace"] = self.namespace
        if self.subresource:
            request["subresource"] = self.subresource
        if self.verb == "patch":
            request["contentType"] = self.content_type
            request["patch"] = self.body
        return request


def send_all(kube: Kube, writes: Sequence[Write], *, dry_run: bool = False) -> list[dict[str, Any] | None]:
    return [w.send(kube, dry_run=dry_run) for w in writes]
