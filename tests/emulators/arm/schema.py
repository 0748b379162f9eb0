"""Refuse request bodies with properties the published API does not have.

The schema is the official SDK's models, generated from the REST specification
(Azure/azure-rest-api-specs ``specification/containerservice/.../aks/stable/2026-08-01``, as
azure-mgmt-containerservice 41.8.0 ships it for api-version 2026-08-01; Fleet's 2026-06-01 as
azure-mgmt-containerservicefleet 4.0.0 ships it): each model class lists
its JSON names (``rest_field(name=...)``) and their types. A property missing there is one no
published source has, so akscli must never send it.

What the real services answer: AKS refuses unknown fields from api-version 2024-01-01 on (older
versions ignored them): "Unknown fields in a request will result in the request being rejected with
an error stating that we don't understand the unknown field" (upstream: Azure/AKS issue #4060, "AKS
will start rejecting requests with unknown fields in the 2024-01-01 API version", 2024-01-11). The
announcement's release notes say the same of "AKS API version 2024-01-01, 2024-01-02-preview and all
subsequent API versions" (Azure/AKS PR #4078 CHANGELOG.md, Release 2024-01-23; PR #4066, Release
2024-01-14), so the check depends on the request's api-version (``REQUEST_API_VERSION``, which
routes._arm sets; ``check_aks``). The issue publishes no error code; the emulator answers 400
InvalidRequestContent, ARM's code for a body that does not deserialize ("The request content was
invalid and could not be deserialized: 'Could not find member ...'", Azure/AKS issue #932). No
source says what the Fleet RP does with an unknown field; the emulator refuses it as AKS does, so an
invented field fails a test rather than doing nothing in production. An enum value the spec does not
list is refused the same way (the spec's enums are the values the service accepts; its exact error
is not published either).
"""

from __future__ import annotations

import contextvars
import enum
import functools
import importlib
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from tests.emulators.arm.server import ArmError

_REF = re.compile(r"_models\.(\w+)")

# The api-version the request being answered names (routes._arm sets it for each request).
REQUEST_API_VERSION: contextvars.ContextVar[str] = contextvars.ContextVar("api_version", default="2026-08-01")
# AKS refuses unknown fields from this api-version on (a preview's date counts: 2024-01-02-preview
# refuses them, 2023-11-02-preview ignores them; Azure/AKS issue #4060 and PR #4078, above).
AKS_REFUSES_UNKNOWN_FROM = "2024-01-01"


@functools.cache
def _fields(module: ModuleType, class_name: str) -> dict[str, str]:
    """JSON name -> the annotation text of that field, for one SDK model class."""
    cls = getattr(module, class_name)
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        annotations = getattr(klass, "__annotations__", {})
        for attr, value in vars(klass).items():
            if attr.startswith("_") or not hasattr(value, "_rest_name_input"):
                continue
            name = value._rest_name_input or attr
            out[name] = str(annotations.get(attr, ""))
    return out


def _model(module: ModuleType, annotation: str) -> str | None:
    """The model class an annotation refers to, when it is a model (not an enum or a scalar)."""
    # Each SDK package has its own model base (azure.mgmt.<package>._utils.model_base.Model).
    package = module.__name__.rsplit(".", 1)[0]
    Model = importlib.import_module(f"{package}._utils.model_base").Model

    for name in _REF.findall(annotation):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, Model):
            return name
    return None


# Values the spec's enum leaves out but Microsoft's own request examples of the same api-version send:
# sku.name "Basic" (the SKU's name before "Base"), in Azure/azure-rest-api-specs e5ece900
# specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/
# examples/ManagedClustersCreate_GPUMIG.json and ManagedClustersCreate_UpdateWithEnableAzureRBAC.json
# (../shared/data/arm-examples/containerservice-2026-08-01). The enum is modelAsString, so the spec's
# validation lets them through; the emulator does too. akscli itself sends "Base".
ALSO_ACCEPTED: dict[str, tuple[str, ...]] = {"ManagedClusterSKUName": ("Basic",)}


def _enum(module: ModuleType, annotation: str) -> type[enum.Enum] | None:
    """The enum an annotation names (``Union[str, "_models.OSSKU"]``), when it names one."""
    for name in _REF.findall(annotation):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, enum.Enum):
            return cls
    return None


def problems(module: ModuleType, class_name: str, body: Any, path: str = "", strict: bool = False) -> list[str]:
    """Every property path of ``body`` that ``class_name`` lacks, and every value of an enum property
    that is not one of the spec's values (spelled as the spec spells them: ``x-ms-enum`` values, as
    the SDK's enum classes carry them), as one line each. ``strict``: ALSO_ACCEPTED does not apply
    (what akscli sends must be the spec's own values)."""
    if not isinstance(body, dict):
        return []
    out: list[str] = []
    fields = _fields(module, class_name)
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if key not in fields:
            out.append(f"property '{where}' is not defined for {class_name} in the published API")
            continue
        annotation = fields[key]
        child = _model(module, annotation)
        if child is None:
            kind = _enum(module, annotation)
            values = [m.value for m in kind] if kind is not None else []
            extra = ALSO_ACCEPTED.get(kind.__name__, ()) if kind is not None and not strict else ()
            for item in value if isinstance(value, list) else [value]:
                if kind is not None and item is not None and item not in values and item not in extra:
                    allowed = ", ".join(values)
                    out.append(f"property '{where}' has the value {item!r}; the published API allows {allowed}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                out += problems(module, child, item, f"{where}[{i}]", strict)
        elif isinstance(value, dict) and annotation.replace(" ", "").find("dict[str,") >= 0:
            for k, item in value.items():
                out += problems(module, child, item, f"{where}.{k}", strict)
        else:
            out += problems(module, child, value, where, strict)
    return out


def check(module: ModuleType, class_name: str, body: Any) -> None:
    """Raise ArmError(400) naming the first property of ``body`` that ``class_name`` lacks, or the
    first enum value the spec does not have."""
    found = problems(module, class_name, body)
    if found:
        raise ArmError(400, "InvalidRequestContent", f"The request content was invalid: {found[0]}.")


def check_aks(class_name: str, body: Any) -> None:
    """AKS's check of a request body, by the request's api-version: from 2024-01-01 on an unknown
    property or an enum value the spec lacks is refused (``check``); before, unknown properties are
    "silently ignored" (Azure/AKS issue #4060): the emulator leaves them out of what it stores, so a
    GET does not show them. The emulator has the 2026-08-01 models, less what each older version
    lacks (aksolder.LACKS and NEW_VALUES), and checks no enum value of an api-version before
    2024-01-01 (AKS ignored a field's content then as much as the field)."""
    from tests.emulators.arm import aksolder

    version = REQUEST_API_VERSION.get()
    if version[:10] < AKS_REFUSES_UNKNOWN_FROM:
        drop_unknown(aks_models(), class_name, body)
        # And what the 2026-08-01 models have but that version lacks (aksolder.py: 2023-11-01,
        # 2023-11-02-preview), ignored as any unknown field then (upstream: Azure/AKS issue #4060;
        # the versions' swaggers, Azure/azure-rest-api-specs specification/containerservice/
        # resource-manager/Microsoft.ContainerService/aks/stable/2023-11-01/managedClusters.json).
        aksolder.drop(version, class_name, body)
        return
    check(aks_models(), class_name, body)

    # What the 2026-08-01 models have and an older version akscli sends lacks, refused with 400 as
    # microsoft/api-guidelines azure/Guidelines.md asks ("Any JSON field name/value not known/valid to
    # the api-version | 400-Bad Request"); the older model: Azure/azure-rest-api-specs specification/
    # containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-01-01/managedClusters.json
    # (aksolder.py).
    aksolder.check(version, class_name, body)


def aks_models() -> ModuleType:
    from azure.mgmt.containerservice import models

    return models


def fleet_models() -> ModuleType:
    """Fleet's models: azure-mgmt-containerservicefleet 4.0.0, generated for api-version 2026-06-01
    (Azure/azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/fleet)."""
    from azure.mgmt.containerservicefleet import models

    return models


@functools.cache
def _read_only(module: ModuleType, class_name: str) -> frozenset[str]:
    """The JSON names of ``class_name`` the spec marks ``readOnly: true`` (the SDK's ``visibility=["read"]``)."""
    cls = getattr(module, class_name)
    out: set[str] = set()
    for klass in cls.__mro__:
        for attr, value in vars(klass).items():
            if not attr.startswith("_") and getattr(value, "_visibility", None) == ["read"]:
                out.add(value._rest_name_input or attr)
    return frozenset(out)


def read_only_paths(module: ModuleType, class_name: str, body: Any, path: str = "") -> list[str]:
    """The property paths of ``body`` that the spec marks read-only (what a body built from scratch,
    not read back by a GET, has no reason to carry)."""
    if not isinstance(body, dict):
        return []
    fields = _fields(module, class_name)
    read_only = _read_only(module, class_name)
    out: list[str] = []
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if key in read_only:
            out.append(where)
            continue
        below = _below(module, fields.get(key, ""), value)
        if below is None:
            continue
        child, items = below
        for item in items:
            out += read_only_paths(module, child, item, where)
    return out


def _below(module: ModuleType, annotation: str, value: Any) -> tuple[str, list[Any]] | None:
    """The model class of a property's value and the objects it holds (the value, a list's items,
    a map's values); None when the property is not a model (an enum or a scalar)."""
    child = _model(module, annotation)
    if child is None:
        return None
    if isinstance(value, dict) and annotation.replace(" ", "").find("dict[str,") >= 0:
        return child, list(value.values())
    return child, value if isinstance(value, list) else [value]


def _matching(items: list[Any], current: Any, i: int) -> Any:
    """The item of the current list an item of the body stands for: by name when items have one
    (agentPoolProfiles), else by position."""
    if not isinstance(current, list):
        return None
    name = items[i].get("name") if isinstance(items[i], dict) else None
    if name is not None:
        return next((c for c in current if isinstance(c, dict) and c.get("name") == name), None)
    return current[i] if i < len(current) else None


def refuse_changed_read_only(module: ModuleType, class_name: str, body: Any, current: Any, path: str = "") -> None:
    """Raise ArmError(400) for the first read-only property of ``body`` whose value is not the
    resource's current one (``current``: the same level of the stored resource; None on a create).

    upstream: microsoft/api-guidelines 011dd3c azure/Guidelines.md, Field Mutability, Read: "If the
    client passed a read-only field, the service MUST fail the request unless the passed-in value
    matches the resource's current value"; Azure/azure-resource-manager-rpc 69e229f
    v1.0/async-api-reference.md, for provisioningState: a value "matching the value on the server"
    is ignored, one that does not is rejected "as a 400 BadRequest". Which properties are read-only:
    aks/stable/2026-08-01 managedClusters.json ``readOnly: true`` (as the SDK's models carry it). No
    source gives AKS's error code or wording for it: BadRequest is the RPC's, the message the
    emulator's. A GET sent back unchanged passes (its read-only values are the current ones)."""
    if not isinstance(body, dict):
        return
    now = current if isinstance(current, dict) else {}
    fields = _fields(module, class_name)
    read_only = _read_only(module, class_name)
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if key in read_only:
            if value is not None and (key not in now or now[key] != value):
                raise ArmError(
                    400,
                    "BadRequest",
                    f"The property '{where}' is read-only: it can only be sent with its current value "
                    f"({'none, on a create' if current is None else repr(now.get(key))}); got {value!r}.",
                    target=where,
                )
            continue
        child = _model(module, fields.get(key, ""))
        if child is None:
            continue

        # Below an existing resource, a level it lacks is empty (not a create).
        def under(found: Any) -> Any:
            return None if current is None else (found if found is not None else {})

        if isinstance(value, list):
            for i, item in enumerate(value):
                refuse_changed_read_only(module, child, item, under(_matching(value, now.get(key), i)), f"{where}[{i}]")
        elif isinstance(value, dict) and fields[key].replace(" ", "").find("dict[str,") >= 0:
            for k, item in value.items():
                refuse_changed_read_only(module, child, item, under((now.get(key) or {}).get(k)), f"{where}.{k}")
        else:
            refuse_changed_read_only(module, child, value, under(now.get(key)), where)


def _objects(module: ModuleType, class_name: str, body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in ``body`` with the model class it is, ``body`` first, then what is below it (a
    list's items, a map's values)."""
    if not isinstance(body, dict):
        return
    yield class_name, body
    fields = _fields(module, class_name)
    for key, value in list(body.items()):
        below = _below(module, fields.get(key, ""), value)
        if below is None:
            continue
        child, items = below
        for item in items:
            yield from _objects(module, child, item)


def drop_read_only(module: ModuleType, class_name: str, body: Any) -> None:
    """Leave out of a PUT body what the spec marks read-only, at every depth, as ARM does: a body
    read by GET can be sent back by PUT, and its read-only values set nothing (upstream:
    Azure/azure-openapi-validator docs/request-body-must-exist-for-put-patch.md, RPC-Put-V1-28: "the
    output of the Get request may be passed in to the Put request"; which properties are read-only:
    Azure/azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/
    aks/stable/2026-08-01/managedClusters.json ``readOnly: true``, as azure-mgmt-containerservice 41.8.0's
    models carry it)."""
    for cls, obj in list(_objects(module, class_name, body)):
        for key in _read_only(module, cls) & set(obj):
            del obj[key]


def drop_unknown(module: ModuleType, class_name: str, body: Any) -> None:
    """Leave out of a body every property ``class_name`` lacks, at every depth (what an AKS
    api-version before 2024-01-01 does with one: ``check_aks``)."""
    for cls, obj in list(_objects(module, class_name, body)):
        for key in set(obj) - set(_fields(module, cls)):
            del obj[key]
