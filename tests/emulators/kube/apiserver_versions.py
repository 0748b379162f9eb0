"""The API server's resourceVersion and uid preconditions of a write (part of ApiServer's writes,
moved out of apiserver_writes.py)."""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.status import ApiError, conflict, invalid


def stale_version(rt: ResourceType, name: str) -> ApiError:
    """409 Conflict for a write whose metadata.resourceVersion is not the stored one (upstream:
    kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
    Update: NewConflict with OptimisticLockErrorMsg)."""
    return conflict(
        rt.group_resource,
        name,
        rt.group,
        rt.plural,
        "the object has been modified; please apply your changes to the latest version and try again",
    )


def object_resource_version(given: Any) -> int:
    """A write's metadata.resourceVersion as the store reads it: 0 where it is absent or empty,
    else strconv.ParseUint(given, 10, 64). The store returns a parse failure as it is, not as a
    Status, so the API server answers 500 with Go's message and no reason (upstream: kubernetes/
    apiserver 24a394e5 pkg/storage/api_object_versioner.go ObjectResourceVersion; pkg/registry/
    generic/registry/store.go Update returns the error unwrapped; pkg/storage/errors/storage.go
    InterpretUpdateError passes it on; pkg/endpoints/handlers/responsewriters/status.go
    ErrorToAPIStatus: an error that is no Status is 500, reason unknown, message err.Error())."""
    if given is None or given == "":
        return 0
    text = str(given)
    quoted = json.dumps(text, ensure_ascii=False)
    if not (text.isascii() and text.isdigit()):
        raise ApiError(500, f"strconv.ParseUint: parsing {quoted}: invalid syntax", "")
    value = int(text)
    if value >= 1 << 64:
        raise ApiError(500, f"strconv.ParseUint: parsing {quoted}: value out of range", "")
    return value


def version_syntax(given: Any) -> None:
    object_resource_version(given)


def version_precondition(rt: ResourceType, name: str, given: Any, stored: int, conditional: bool) -> None:
    """The store's resourceVersion check of an update: 0 (absent, empty or "0") is an
    unconditional update where the kind allows one, else 422; any other value must be the stored
    one, compared as numbers, else 409. It runs after the patch or the field manager and mutating
    admission made the object, before the strategy's validation and validating admission (upstream:
    kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/store.go Update: objInfo.UpdatedObject,
    then this check, then rest.BeforeUpdate and updateValidation; a custom resource's strategy
    does not allow an unconditional update, kubernetes/apiextensions-apiserver pkg/registry/
    customresource/strategy.go AllowUnconditionalUpdate false; field.Invalid prints the uint64 0
    as 0x0)."""
    new = object_resource_version(given)
    if new == 0:
        if conditional:
            raise invalid(
                rt.group_resource,
                name,
                rt.group,
                rt.plural,
                [
                    (
                        "FieldValueInvalid",
                        "metadata.resourceVersion",
                        "Invalid value: 0x0: must be specified for an update",
                    )
                ],
            )
        return
    if new != stored:
        raise stale_version(rt, name)


# kube-apiserver's StorageFactory prefixes that are not the resource's name (upstream:
# kubernetes/kubernetes pkg/kubeapiserver/default_storage_factory_builder.go
# SpecialDefaultResourcePrefixes); a custom resource's is GROUP/PLURAL (kubernetes/
# apiextensions-apiserver pkg/registry/customresource/etcd.go); the etcd prefix is /registry.
_SPECIAL_PREFIXES = {
    ("", "replicationcontrollers"): "controllers",
    ("", "endpoints"): "services/endpoints",
    ("", "nodes"): "minions",
    ("", "services"): "services/specs",
    ("extensions", "ingresses"): "ingress",
    ("networking.k8s.io", "ingresses"): "ingress",
}


def etcd_key(rt: ResourceType, namespace: str | None, name: str) -> str:
    """The key the etcd3 store names in a StorageError (upstream: kubernetes/apiserver 24a394e5
    pkg/storage/etcd3/store.go prepareKey: pathPrefix + key)."""
    prefix = _SPECIAL_PREFIXES.get((rt.group, rt.plural)) or (f"{rt.group}/{rt.plural}" if rt.crd else rt.plural)
    return f"/registry/{prefix}/" + (f"{namespace}/{name}" if namespace is not None else name)


def uid_precondition(rt: ResourceType, namespace: str | None, name: str, given: Any, stored: str) -> None:
    """A PUT whose body names a uid makes it a precondition: another uid is 409 (upstream:
    kubernetes/apiserver 24a394e5 pkg/registry/rest/update.go defaultUpdatedObjectInfo.
    Preconditions; pkg/storage/interfaces.go Preconditions.Check, NewInvalidObjError; pkg/storage/
    errors.go StorageError.Error; pkg/storage/errors/storage.go InterpretUpdateError: an invalid
    object is NewConflict). The store checks it before the update is computed, so after the body
    is decoded and before the resourceVersion check."""
    if not given or given == stored:
        return
    why = (
        f"StorageError: invalid object, Code: 4, Key: {etcd_key(rt, namespace, name)}, ResourceVersion: 0, "
        f"AdditionalErrorMsg: Precondition failed: UID in precondition: {given}, UID in object meta: {stored}"
    )
    raise conflict(rt.group_resource, name, rt.group, rt.plural, why)


def version_set_on_create(given: Any) -> bool:
    """Whether the etcd3 store refuses a create for its resourceVersion: a numeric, non-zero one
    (upstream: kubernetes/apiserver 24a394e5 pkg/storage/etcd3/store.go Create: ObjectResourceVersion
    without error and not 0 is ErrResourceVersionSetOnCreate; one that does not parse is ignored)."""
    text = str(given) if given not in (None, "") else ""
    return text.isascii() and text.isdigit() and 0 < int(text) < 1 << 64
