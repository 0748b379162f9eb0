"""A pod's containers as kubectl logs -c names them: whether a name is one of them, and the list a
wrong name is answered with. Plain logic: no I/O, no kubernetes import.

upstream: kubernetes/kubectl dee3483a pkg/cmd/util/podcmd/podcmd.go FindContainerByName (spec.containers,
then initContainers, then ephemeralContainers) and AllContainerNames (containers, then ``NAME (ephem)``,
then ``NAME (init)``, joined with ", "); pkg/polymorphichelpers/logsforobject.go logsForObjectWithClient:
``container %s is not valid for pod %s out of: %s`` before any log is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import NotFoundError


def _named(pod: Mapping[str, Any], field: str) -> list[str]:
    return [str(c.get("name")) for c in (pod.get("spec") or {}).get(field) or [] if isinstance(c, Mapping)]


def has(pod: Mapping[str, Any], name: str) -> bool:
    """FindContainerByName: a container, an init container or an ephemeral container of the pod."""
    return any(name in _named(pod, field) for field in ("containers", "initContainers", "ephemeralContainers"))


def all_names(pod: Mapping[str, Any]) -> str:
    """AllContainerNames: ``server, debugger (ephem), fetch (init)``."""
    return ", ".join(
        [
            *_named(pod, "containers"),
            *(f"{name} (ephem)" for name in _named(pod, "ephemeralContainers")),
            *(f"{name} (init)" for name in _named(pod, "initContainers")),
        ]
    )


def check(pod: Mapping[str, Any], name: str, command: str) -> None:
    """kubectl logs' refusal of a container the pod does not have, naming those it has; ``command``
    is the command line to run again with one of them (the hint)."""
    if has(pod, name):
        return
    first = (_named(pod, "containers") or ["NAME"])[0]
    pod_name = (pod.get("metadata") or {}).get("name", "?")
    raise NotFoundError(
        f"container {name} is not valid for pod {pod_name} out of: {all_names(pod)}",
        hint=f"give one of them: {command} -c {first}",
    )
