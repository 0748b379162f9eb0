"""One read of a namespace per command and connection: `model deploy` checks that its namespace
exists (cli/model_deploy_steps.ensure_namespace) and then reads its PodSecurity labels
(kube/podsecurity) before anything is applied; both ask here, so the namespace is read once, as
kubectl reads an object once per command (bench_deploy_wait counts a second read as polling)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

_READS: weakref.WeakKeyDictionary[Kube, dict[str, Mapping[str, Any] | None]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def read(kube: Kube, name: str) -> Mapping[str, Any] | None:
    """The namespace as this connection last read or made it, else read now (None: it does not
    exist). A refusal (403) is raised and not remembered."""
    with _LOCK:
        known = _READS.get(kube)
        if known is not None and name in known:
            return known[name]
    ns = kube.get("v1", "Namespace", name)
    remember(kube, name, ns)
    return ns


def remember(kube: Kube, name: str, ns: Mapping[str, Any] | None) -> None:
    """Record what this connection read or created, so the next :func:`read` asks no more."""
    with _LOCK:
        _READS.setdefault(kube, {})[name] = ns
