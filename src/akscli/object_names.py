"""kubectl's words for an object in a line: its ``-o name`` (``kind.group/name``), its AGE, and a
dotted path into it. Plain functions with no output of their own; akscli.output prints them and
re-exports each (``output.object_ref``, ``output.age``), so callers read them from there.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime


def dig(item: Any, path: str, default: Any = None) -> Any:
    """``dig(obj, "status.conditions")``: a dotted path into nested mappings."""
    node = item
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return default
    return node


def object_name(obj: Any) -> str:
    """``-o name`` of one object when its command gives no ``kind/name`` of its own
    (``emit_object(name=...)``): a Kubernetes object's ``kind.group/name`` (object_ref), else
    the record's ``name``. Without one the command prints no name: a usage error, never a repr."""
    if isinstance(obj, Mapping) and obj.get("kind") and dig(obj, "metadata.name"):
        return object_ref(obj)
    if isinstance(obj, Mapping) and isinstance(obj.get("name"), str) and obj["name"]:
        return str(obj["name"])
    raise UsageError("this command prints no -o name for what it shows", hint="use -o json or -o yaml")


def named(kind: str) -> Callable[[Any], str]:
    """The ``-o name`` of records of one kind that are not Kubernetes objects (an ARM resource, a
    summary row): ``kind/NAME`` from each record's ``name``, kubectl's ``kind/name`` form
    (k8s.io/cli-runtime pkg/printers/name.go). A group passes the same function to its list
    (``emit``) and to the commands that create or show one (``emit_object``), so that one object
    prints as its list prints it."""
    return lambda record: f"{kind}/{record['name']}"


def age(obj_or_stamp: Mapping[str, Any] | str | None, *, now: "datetime | None" = None) -> str:
    """kubectl's AGE column (``40s``, ``3m10s``, ``5h``, ``2d1h``) from an object or a timestamp:
    the time since it, as the API server's table (kubernetes/apimachinery pkg/api/meta/table/table.go
    ConvertToHumanReadableDateType) writes it; ``<unknown>`` without one."""
    from datetime import UTC, datetime

    from akscli import timestamps

    stamp = dig(obj_or_stamp, "metadata.creationTimestamp") if isinstance(obj_or_stamp, Mapping) else obj_or_stamp
    created = timestamps.parse(stamp)
    if created is None:
        return "<unknown>"
    return human_duration(((now or datetime.now(UTC)) - created).total_seconds())


def event_age(last: str | None, first: str | None, count: int, *, now: "datetime | None" = None) -> str:
    """kubectl describe's Age of an event: ``3m (x2 over 10m)`` for one seen more than once, the
    time since its first sighting otherwise (upstream: kubernetes/kubectl dee3483a
    pkg/describe/describe.go DescribeEvents: the last time, the count, the first time)."""
    since = age(first, now=now)
    return f"{age(last, now=now)} (x{count} over {since})" if count > 1 else since


def human_duration(seconds: float) -> str:
    """A duration with two or three significant figures, as kubectl prints ages (upstream:
    kubernetes/apimachinery eed236ce pkg/util/duration/duration.go HumanDuration): whole seconds
    below 2m, then minutes and seconds below 10m, minutes below 3h, hours and minutes below 8h,
    hours below 2d, days and hours below 8d, days below 2y, years and days below 8y. Up to a
    second in the future is ``0s`` (clock skew); more is ``<invalid>``."""
    if int(seconds) < -1:
        return "<invalid>"
    if int(seconds) < 0:
        return "0s"
    if seconds < 120:
        return f"{int(seconds)}s"
    minutes = int(seconds // 60)
    if minutes < 10:
        return _two_units(minutes, "m", int(seconds) % 60, "s")
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return _two_units(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        return _two_units(days, "d", hours % 24, "h")
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        return _two_units(days // 365, "y", days % 365, "d")
    return f"{days // 365}y"


def _two_units(big: int, big_unit: str, small: int, small_unit: str) -> str:
    """``3m10s``; ``3m`` when the smaller part is nothing (HumanDuration's ``if s == 0``)."""
    return f"{big}{big_unit}{small}{small_unit}" if small else f"{big}{big_unit}"


def object_ref(obj: Mapping[str, Any]) -> str:
    """kubectl's ``-o name`` form: ``kind.group/name`` (``kind/name`` for the core group)."""
    return kind_ref(str(obj.get("apiVersion", "v1")), str(obj.get("kind", "")), str(dig(obj, "metadata.name")))


def kind_group(api_version: str, kind: str) -> str:
    """``raycluster.ray.io``: a kind as kubectl names it, lower case with its group (the core
    group has none)."""
    group = api_version.split("/")[0] if "/" in api_version else ""
    return f"{kind.lower()}.{group}" if group else kind.lower()


def kind_ref(api_version: str, kind: str, name: str) -> str:
    """``kind.group/name`` for an object known by its apiVersion and kind, as kubectl's name
    printer writes it (k8s.io/cli-runtime pkg/printers/name.go printObj: the kind lower-cased,
    then ``.group`` unless the group is core)."""
    return f"{kind_group(api_version, kind)}/{name}"
