"""Ask the server whether it would create objects again before a command deletes the old ones
(--recreate, the server a deploy replaces): a refusal met after the deletion would leave the
running object gone and nothing in its place.

The server answers a dry-run create in the order it handles a real one, and says that the name
is taken only after everything else passed (upstream: kubernetes/apiserver 24a394e5
pkg/endpoints/handlers/create.go createHandler: mutating admission, ``mutatingAdmission.Admit``,
before the store; pkg/registry/generic/registry/store.go ``Store.create``: ``rest.BeforeCreate``,
the strategy's defaulting and validation, a CRD's schema included, then ``createValidation``,
the validating admission plugins and webhooks, and only then ``e.Storage.Create``;
pkg/registry/generic/registry/dryrun.go ``DryRunnableStorage.Create``: on a dry run an existing
key is KeyExists as well). So a dry-run create of an object that still exists answers 409
AlreadyExists once defaulting, validation and every webhook took it; any other refusal is what
the create after the deletion would meet.

Quota is the one check the old object skews: the ResourceQuota plugin checks a dry-run request
as any other and only leaves its usage unrecorded (upstream: kubernetes/apiserver 24a394e5
pkg/admission/plugin/resourcequota/controller.go ``checkRequest`` then ``IsDryRun``), while the
usage still counts the object the command is about to delete. An "exceeded quota" answer is then
no proof that the create would be refused: it is reported and left to the create itself.

A KAITO object whose inference ConfigMap the same command creates, or changes, is asked about
without the reference, as the apply's plan asks (akscli.kube.deferred_checks): KAITO's webhook
reads the ConfigMap as stored, and a dry run stores none, so a new model server replacing a vLLM
Deployment would otherwise be refused for a ConfigMap its own apply makes a moment later. What
KAITO checks of that ConfigMap is reported as not checked and left to the apply.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from akscli import errors
from akscli.kube import deferred_checks
from akscli.kube.apply import dry_run_create_elsewhere
from akscli.kube.client import Kube
from akscli.output import object_ref
from akscli.render import with_stack_labels

# upstream: kubernetes/apiserver 24a394e5 pkg/admission/plugin/resourcequota/controller.go
# checkRequest: admission.NewForbidden(a, "exceeded quota: NAME, requested: ..., used: ...").
_QUOTA_EXCEEDED = "exceeded quota: "


def check_creates(
    kube: Kube,
    objects: Iterable[Mapping[str, Any]],
    *,
    stack: str | None = None,
    rendered: Sequence[Mapping[str, Any]] = (),
) -> list[str]:
    """Dry-run create each object as the apply after the deletion creates it (with ``stack``'s
    labels); 409 AlreadyExists passes. Any other refusal is raised as the server's error, naming
    the object and saying that nothing was deleted. ``rendered``: everything the command applies,
    for the namespaces it creates (an object in one is dry-run created elsewhere, as the apply's
    plan does). Returns what could not be checked (a quota that counts the old object)."""
    new_namespaces = {
        str(o["metadata"]["name"]) for o in rendered if o.get("kind") == "Namespace" and o.get("apiVersion") == "v1"
    }
    unchecked = []
    for original in objects:
        obj = copy.deepcopy(dict(original))
        if stack:
            with_stack_labels([obj], stack)
        check = _config_not_stored(kube, obj, rendered)
        if check is not None:
            unchecked.append(f"{object_ref(obj)}: {check.note}")
        try:
            _dry_run_create(kube, deferred_checks.without_ref(obj, check) if check else obj, new_namespaces)
        except errors.AkscliError as exc:
            if exc.reason == "AlreadyExists":
                continue  # every check before the store passed (see the module's docstring)
            if exc.reason == "Forbidden" and _QUOTA_EXCEEDED in exc.message:
                unchecked.append(f"{object_ref(obj)}: not checked against quota, which still counts the old object")
                continue
            raise refused(exc, obj) from exc
    return unchecked


def _config_not_stored(
    kube: Kube, obj: Mapping[str, Any], rendered: Sequence[Mapping[str, Any]]
) -> deferred_checks.Deferred | None:
    """The deferred check of a KAITO object whose inference ConfigMap is among ``rendered`` and is
    not stored as rendered (missing, or with other data); None where the server reads what the
    apply will leave, or the object names no ConfigMap of this command."""
    ref = deferred_checks.config_ref(obj)
    if ref is None:
        return None
    namespace = (obj.get("metadata") or {}).get("namespace")
    sent = [
        o
        for o in rendered
        if o.get("apiVersion") == "v1"
        and o.get("kind") == "ConfigMap"
        and (o.get("metadata") or {}).get("namespace") == namespace
        and (o.get("metadata") or {}).get("name") == ref[1]
    ]
    if not sent:
        return None
    stored = kube.get("v1", "ConfigMap", ref[1], namespace)
    key = (namespace, ref[1])
    if stored is not None and (stored.get("data") or {}) == (sent[0].get("data") or {}):
        return None
    return deferred_checks.deferred(obj, set() if stored else {key}, {key} if stored else ())


def _dry_run_create(kube: Kube, obj: dict[str, Any], new_namespaces: set[str]) -> None:
    try:
        kube.create(obj, dry_run=True)
    except errors.NotFoundError:
        if (obj.get("metadata") or {}).get("namespace") not in new_namespaces:
            raise
        dry_run_create_elsewhere(kube, obj, new_namespaces)


def refused(exc: errors.AkscliError, obj: Mapping[str, Any]) -> errors.AkscliError:
    """The server's refusal of ``obj``'s create, as one line that says nothing was deleted; the
    error keeps its class, so its exit code is the one the refusal itself maps to."""
    error = type(exc)(
        f"{object_ref(obj)} would be refused when created again, so nothing was deleted: {exc.message}",
        exc.hint or "fix what the server names and run again",
    )
    error.reason = exc.reason
    return error
