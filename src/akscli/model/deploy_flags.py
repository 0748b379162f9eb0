"""The flags of ``model deploy`` that need more than one value's check: the default name, the
autoscale range, the gateway reference, and which fleet flags go together. Plain logic."""

from __future__ import annotations

import re
from collections.abc import Sequence

from akscli import validate
from akscli.errors import UsageError
from akscli.model.catalog import Model


def default_name(model: Model | str) -> str:
    """The deployment's name when --name is not given: the model's short name (a Model's, or that of a
    Hugging Face id's last part) as a Kubernetes name."""
    short = model.name if not isinstance(model, str) else model.split("/")[-1]
    base = re.sub(r"[^a-z0-9-]+", "-", short.lower()).strip("-")
    return base[:50].rstrip("-") or "model"


def parse_autoscale(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value)
    if not m:
        raise UsageError(f"invalid --autoscale {value!r}: expected MIN:MAX", hint="for example --autoscale 1:4")
    lo, hi = int(m.group(1)), int(m.group(2))
    if hi < 1 or lo > hi or hi > 1000:
        raise UsageError(
            f"invalid --autoscale {value!r}: need 0 <= MIN <= MAX, 1 <= MAX <= 1000", hint="for example --autoscale 1:4"
        )
    return lo, hi


def parse_gateway(value: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAMESPACE/NAME``."""
    ns, _, name = value.rpartition("/")
    # a Gateway's name is a DNS-1123 subdomain, as a parentRef's name takes it (kubernetes-sigs/gateway-api
    # v1.6.1 apis/v1/shared_types.go ObjectName, maxLength 253; its namespace a label)
    validate.subdomain(name, "gateway name")
    if ns:
        validate.name(ns, "gateway namespace")
    return name, ns or None


def check_fleet_flags(fleet: bool, members: Sequence[str], count: int | None, strategy: str | None) -> None:
    if (members or count or strategy) and not fleet:
        raise UsageError(
            "--member, --clusters and --staged-strategy go with --fleet-hub",
            hint="add --fleet-hub, with --context pointing at the fleet hub",
        )
    if members and count:
        raise UsageError(
            "give --member or --clusters, not both", hint="--member picks clusters by name; --clusters N picks N"
        )
