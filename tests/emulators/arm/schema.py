"""Refuse request bodies with properties the published API does not have.

The schema is the official SDK's models, generated from the REST specification
(Azure/azure-rest-api-specs ``specification/containerservice/.../aks/stable/2026-08-01``, as
azure-mgmt-containerservice 41.8.0 ships it for api-version 2026-08-01; Fleet's 2026-06-01 as
azure-mgmt-containerservicefleet 4.0.0 ships it): each model class lists
its JSON names (``rest_field(name=...)``) and their types. A property missing there is one no
published source has, so akscli must never send it. Real AKS silently ignores unknown JSON
properties; the emulator refuses them (400 InvalidRequestContent) so that an invented field fails
a test instead of doing nothing in production.
"""

from __future__ import annotations

import functools
import importlib
import re
from types import ModuleType
from typing import Any

from tests.emulators.arm.server import ArmError

_REF = re.compile(r"_models\.(\w+)")


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


def check(module: ModuleType, class_name: str, body: Any, path: str = "") -> None:
    """Raise ArmError(400) naming the first property of ``body`` that ``class_name`` lacks."""
    if not isinstance(body, dict):
        return
    fields = _fields(module, class_name)
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if key not in fields:
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid: property '{where}' is not defined for {class_name} in the "
                "published API.",
            )
        annotation = fields[key]
        child = _model(module, annotation)
        if child is None:
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                check(module, child, item, f"{where}[{i}]")
        elif isinstance(value, dict) and annotation.replace(" ", "").find("dict[str,") >= 0:
            for k, item in value.items():
                check(module, child, item, f"{where}.{k}")
        else:
            check(module, child, value, where)


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


def drop_read_only(module: ModuleType, class_name: str, body: Any) -> None:
    """Leave out of a PUT body what the spec marks read-only, at every depth, as ARM does: a body
    read by GET can be sent back by PUT, and its read-only values set nothing (upstream:
    Azure/azure-openapi-validator docs/request-body-must-exist-for-put-patch.md, RPC-Put-V1-28: "the
    output of the Get request may be passed in to the Put request"; which properties are read-only:
    Azure/azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/
    aks/stable/2026-08-01/managedClusters.json ``readOnly: true``, as azure-mgmt-containerservice 41.8.0's
    models carry it)."""
    if not isinstance(body, dict):
        return
    fields = _fields(module, class_name)
    for key in _read_only(module, class_name) & set(body):
        del body[key]
    for key, value in body.items():
        child = _model(module, fields.get(key, ""))
        if child is None:
            continue
        if isinstance(value, list):
            for item in value:
                drop_read_only(module, child, item)
        elif isinstance(value, dict) and fields[key].replace(" ", "").find("dict[str,") >= 0:
            for item in value.values():
                drop_read_only(module, child, item)
        else:
            drop_read_only(module, child, value)
