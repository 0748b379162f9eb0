"""Validators for Azure names and values (ARM rules differ from Kubernetes names).

Each returns the normalised value or raises UsageError naming the value, the rule and an
example, before anything is sent to Azure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from akscli.errors import UsageError

# Azure/azure-rest-api-specs specification/common-types/resource-management/v5/types.json
# ResourceGroupNameParameter: pattern ^[-\w\._\(\)]+$, 1-90 characters, "period (except at end)".
_RG = re.compile(r"^[-\w._()]{1,90}$")
_CLUSTER = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?$")
_POOL = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_LOCATION = re.compile(r"^[a-z][a-z0-9]{1,39}$")
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
_VM_SIZE = re.compile(r"^(Standard|Basic)_[A-Za-z0-9_-]{1,60}$", re.I)
_TAG_KEY = re.compile(r"^[^<>%&\\?/]{1,512}$")


def _fail(what: str, value: str, rule: str, example: str) -> UsageError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return UsageError(f"invalid {what} {shown!r}: {rule}", hint=f"for example: {example}")


def resource_group(value: str) -> str:
    if not value or not _RG.match(value) or value.endswith("."):
        raise _fail(
            "resource group",
            value or "",
            "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
            "-g rg-ml-prod",
        )
    return value


def cluster_name(value: str) -> str:
    if not value or not _CLUSTER.match(value):
        raise _fail(
            "cluster name",
            value or "",
            "1-63 letters, digits, '-' or '_', starting and ending with a letter or digit",
            "aks-gpu-1",
        )
    return value


def nodepool_name(value: str) -> str:
    if not value or not _POOL.match(value):
        raise _fail(
            "node pool name",
            value or "",
            "1-12 lower-case letters and digits, starting with a letter",
            _nearest_pool(value or "") or "gpua100",
        )
    return value


def _nearest_pool(value: str) -> str | None:
    """The typed name made a node pool name (``GPU`` -> gpu, ``gpu-a100`` -> gpua100), or None
    where nothing of it is left or it does not start with a letter."""
    near = "".join(ch for ch in value.lower() if ch.isascii() and ch.isalnum())[:12]
    return near if _POOL.match(near) else None


def location(value: str) -> str:
    v = (value or "").replace(" ", "").lower()
    if not _LOCATION.match(v):
        raise _fail("location", value or "", "an Azure region name", "--location eastus2")
    return v


def kubernetes_version(value: str) -> str:
    v = (value or "").strip().lstrip("v")
    if not _VERSION.match(v):
        raise _fail("Kubernetes version", value or "", "MAJOR.MINOR or MAJOR.MINOR.PATCH", "--kubernetes-version 1.33")
    return v


def vm_size(value: str, flag: str = "--vm-size", example: str = "Standard_NC24ads_A100_v4") -> str:
    """A VM size name; ``flag``: the option it came from, which the hint's example uses."""
    if not value or not _VM_SIZE.match(value):
        raise _fail("VM size", value or "", "an Azure VM size name", f"{flag} {example}")
    return value


def system_vm_size(value: str, flag: str = "--system-vm-size") -> str:
    """A VM size a System pool can use: upstream MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/use-system-pools.md, "B series VMs aren't supported for system node pools"."""
    size = vm_size(value, flag, "Standard_D4ds_v5")
    if size.lower().startswith("standard_b"):
        raise UsageError(
            f"{size} is a B-series size, which AKS does not support for a System pool",
            hint="pick another size for the System pool, e.g. Standard_D4ds_v5",
        )
    return size


def tags(pairs: Iterable[str]) -> dict[str, str]:
    """``key=value`` pairs (a bare ``key`` means an empty value, as in az)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, _, val = pair.partition("=")
        key = key.strip()
        if not key or not _TAG_KEY.match(key) or len(val) > 256 or any(ord(c) < 32 for c in pair):
            raise _fail(
                "tag",
                pair,
                "key=value with a key of 1-512 characters (no < > % & \\ ? /) and a value of at most 256",
                "--tags team=ml --tags env=prod",
            )
        out[key] = val
    if len(out) > 50:
        raise UsageError(f"{len(out)} tags given; Azure allows at most 50 per resource", hint="drop some --tags")
    return out


def zones(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in values:
        for z in str(raw).split(","):
            z = z.strip()
            if z not in ("1", "2", "3"):
                raise _fail("availability zone", z, "zones are 1, 2 or 3", "--zones 1 --zones 2")
            if z not in out:
                out.append(z)
    return out
