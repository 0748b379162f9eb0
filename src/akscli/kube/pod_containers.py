"""A pod's containers as kubectl logs -c names them: whether a name is one of them, and the list a
wrong name is answered with. Plain logic: no I/O, no kubernetes import.

upstream: kubernetes/kubectl dee3483a pkg/cmd/util/podcmd/podcmd.go FindContainerByName (spec.containers,
then initContainers, then ephemeralContainers) and AllContainerNames (containers, then ``NAME (ephem)``,
then ``NAME (init)``, joined with ", "); pkg/polymorphichelpers/logsforobject.go logsForObjectWithClient:
``container %s is not valid for pod %s out of: %s`` before any log is asked for; with no container
named, the ``kubectl.kubernetes.io/default-container`` annotation's container, else the first, with
``Defaulted container %q out of: %s`` on stderr when the pod has more than one.
"""

from __future__ import annotations

import json
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


# kubernetes/kubectl dee3483a pkg/cmd/util/podcmd/podcmd.go DefaultContainerAnnotationName
DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def default(pod: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The container kubectl logs reads when none is named, and the lines it writes on stderr about
    the choice (kubernetes/kubectl dee3483a pkg/polymorphichelpers/logsforobject.go
    logsForObjectWithClient): the annotation's container when the pod has it (an annotation naming
    none of them: ``Default container name %q not found in pod %s``, then the first); else the first
    container, with ``Defaulted container %q out of: %s`` when the pod has any other container, init
    or ephemeral ones included. ``%q`` is Go's quoted string, which JSON's matches for these names."""
    lines: list[str] = []
    pod_name = (pod.get("metadata") or {}).get("name", "?")
    annotated = str(((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION) or "")
    if annotated:
        if has(pod, annotated):
            return annotated, lines
        lines.append(f"Default container name {json.dumps(annotated)} not found in pod {pod_name}")
    containers = _named(pod, "containers")
    first = containers[0] if containers else ""
    if len(containers) > 1 or _named(pod, "initContainers") or _named(pod, "ephemeralContainers"):
        lines.append(f"Defaulted container {json.dumps(first)} out of: {all_names(pod)}")
    return first, lines
