"""Karpenter's drift hashes as upstream computes them: NodePool.Hash and AKSNodeClass.Hash, the numbers
Karpenter writes to the karpenter.sh/nodepool-hash and karpenter.azure.com/aksnodeclass-hash
annotations and compares in drift.go areStaticFieldsDrifted.

Upstream:
- mitchellh/hashstructure v2.0.2 (a045b66) hashstructure.go Hash and walker.visit, FormatV2, read
  line by line below; fnv.New64() is FNV-1 (not FNV-1a), 64-bit.
- kubernetes-sigs/karpenter 2266468 (v1.14.0-20) pkg/apis/v1/nodepool.go NodePool.Hash:
  hashstructure.Hash(in.Spec.Template, FormatV2, {SlicesAsSets, IgnoreZeroValue, ZeroNil}); the
  Go types NodeClaimTemplate, ObjectMeta, NodeClaimTemplateSpec (Requirements hash:"ignore"),
  pkg/apis/v1/nodeclaim.go NodeClassReference, pkg/apis/v1/duration.go NillableDuration
  (an embedded *time.Duration; Raw hash:"ignore"); kubernetes/api core/v1/types.go Taint.
- Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/aksnodeclass.go AKSNodeClass.Hash (the
  same options over in.Spec) and the AKSNodeClassSpec types (Tags hash:"ignore").
Pinned by pkg/apis/v1beta1/aksnodeclass_hash_test.go's static hashes, hashstructure_examples_test.go
and the nodepool-hash Karpenter stamped on two real EKS Auto Mode NodePools (evanharmon/in-mono
headspace/aws/aws-eks-addon-karpenter-nodepool.md): tests/foundation/test_nap_hash.py.
A Go struct hashes its field *names* in declaration order, so the schemas below list every field of
the Go type, in order, with its Go kind; the JSON a field is read from is the json tag. A JSON field
no Go field has is dropped, as encoding/json drops it.
corev1.Taint.TimeAdded (a *metav1.Time) hashes time.Time.MarshalBinary's bytes; metav1.Time's
UnmarshalJSON makes the time Local, so the zone offset written is the controller's; taken as 0 (a
container with no TZ and no /etc/localtime). Whether it changed, all a drift check needs, does not
depend on it.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

_MASK = (1 << 64) - 1
_FNV_OFFSET, _FNV_PRIME = 14695981039346656037, 1099511628211  # hash/fnv New64 (FNV-1)


def fnv1_64(data: bytes) -> int:
    """hash/fnv's fnv.New64 (sum64.Write: multiply, then xor), as hashstructure's default Hasher."""
    h = _FNV_OFFSET
    for byte in data:
        h = ((h * _FNV_PRIME) & _MASK) ^ byte
    return h


def _ordered(a: int, b: int) -> int:
    """hashUpdateOrdered: FNV of a and b written as little-endian uint64s."""
    return fnv1_64(a.to_bytes(8, "little") + b.to_bytes(8, "little"))


def _finish(a: int) -> int:
    """hashFinishUnordered: FNV of the xor-ed group, so overlapping groups do not cancel."""
    return fnv1_64(a.to_bytes(8, "little"))


@dataclass(frozen=True)
class Int:
    """A Go integer (bits: 8 for a bool, which visit writes as an int8; 64 for int and uint)."""

    bits: int
    signed: bool = True


@dataclass(frozen=True)
class Str:
    """A Go string or named string type (LocalDNSMode, TaintEffect ...)."""


@dataclass(frozen=True)
class Ptr:
    elem: Any


@dataclass(frozen=True)
class Slice:
    elem: Any


@dataclass(frozen=True)
class Map:
    key: Any
    value: Any


@dataclass(frozen=True)
class Iface:
    """A Go interface{}: the value's own type decides (bool, string, int, list, dict)."""


@dataclass(frozen=True)
class Time:
    """A Go time.Time (hashstructure's timeType: the bytes of MarshalBinary), read from RFC 3339."""


@dataclass(frozen=True)
class Field:
    go: str  # the Go field name, which hashstructure hashes (an embedded field's is its type's name)
    json: str | None  # the json tag the field is read from (None: json:"-", never read)
    type: Any
    ignore: bool = False  # hash:"ignore"


@dataclass(frozen=True)
class Struct:
    name: str  # reflect.Type.Name(), hashed first
    fields: tuple[Field, ...]
    # a type with its own UnmarshalJSON: the JSON value as this struct's {go field name: value}
    decode: Callable[[Any], dict[str, Any]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Options:
    """hashstructure.HashOptions: NodePool.Hash and AKSNodeClass.Hash set all three."""

    sets: bool = True  # SlicesAsSets
    ignore_zero: bool = True  # IgnoreZeroValue
    zero_nil: bool = True  # ZeroNil


KARPENTER = Options()
STRING, BOOL, INT32, INT64 = Str(), Int(8), Int(32), Int(64)

_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> int | None:
    """Go time.ParseDuration in nanoseconds ("1h30m", "1.5h", "100ms", "0"); None where Go errors."""
    sign, rest = (-1, text[1:]) if text[:1] == "-" else (1, text[1:] if text[:1] == "+" else text)
    if rest == "0":
        return 0
    total, at = Fraction(0), 0
    while at < len(rest):
        part = _PART.match(rest, at)
        if part is None or part.group(1) in ("", "."):
            return None
        total += Fraction(part.group(1)) * _UNITS[part.group(2)]
        at = part.end()
    return sign * int(total) if rest else None


def _nillable(value: Any) -> dict[str, Any]:
    """duration.go NillableDuration.UnmarshalJSON: "Never" leaves Duration nil; else ParseDuration."""
    nanos = parse_duration(value) if isinstance(value, str) and value != "Never" else None
    return {} if nanos is None else {"Duration": nanos, "Raw": value}


def _meta_duration(value: Any) -> dict[str, Any]:
    """k8s.io/apimachinery pkg/apis/meta/v1/duration.go Duration.UnmarshalJSON: ParseDuration."""
    nanos = parse_duration(value) if isinstance(value, str) else None
    return {} if nanos is None else {"Duration": nanos}


# duration.go: type NillableDuration struct { *time.Duration; Raw []byte `hash:"ignore"` }
NILLABLE_DURATION = Struct(
    "NillableDuration",
    (Field("Duration", None, Ptr(INT64)), Field("Raw", None, Slice(Int(8, False)), ignore=True)),
    _nillable,
)
# apimachinery meta/v1 types: type Duration struct { time.Duration }
META_DURATION = Struct("Duration", (Field("Duration", None, INT64),), _meta_duration)


def _fields(*rows: tuple[str, str | None, Any] | tuple[str, str | None, Any, bool]) -> tuple[Field, ...]:
    return tuple(Field(*row) for row in rows)


_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)")
_GO_EPOCH = 62135596800  # seconds from Go's absolute zero (January 1, year 1) to 1970 (time.go unixToInternal)


def _go_time(value: Any) -> tuple[int, int] | None:
    """metav1.Time.UnmarshalJSON (time.Parse RFC3339) as (seconds since year 1, nanoseconds)."""
    m = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        return None
    offset = 0 if m.group(8) in "Zz" else int(m.group(8)[:3]) * 3600 + int(m.group(8)[0] + m.group(8)[4:]) * 60
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return int(moment.timestamp()) - offset + _GO_EPOCH, int((m.group(7) or "0").ljust(9, "0"))


def _time_bytes(sec_nsec: tuple[int, int] | None) -> bytes:
    """time.go Time.MarshalBinary, version 1: seconds, nanoseconds, the zone offset in minutes (0 for
    a Local time; -1 for the zero Time, whose location is UTC)."""
    sec, nsec = sec_nsec or (0, 0)
    offset = (0 if sec_nsec else -1).to_bytes(2, "big", signed=True)
    return bytes([1]) + sec.to_bytes(8, "big", signed=True) + nsec.to_bytes(4, "big") + offset


def _meta_time(value: Any) -> dict[str, Any]:
    moment = _go_time(value)
    return {} if moment is None else {"Time": moment}


# kubernetes/api core/v1/types.go Taint; apimachinery meta/v1 time.go: type Time struct { time.Time }
META_TIME = Struct("Time", (Field("Time", None, Time()),), _meta_time)
TAINT = Struct(
    "Taint",
    _fields(
        ("Key", "key", STRING), ("Value", "value", STRING), ("Effect", "effect", STRING),
        ("TimeAdded", "timeAdded", Ptr(META_TIME)),
    ),
)  # fmt: skip
# kubernetes-sigs/karpenter pkg/apis/v1/nodeclaim.go NodeClassReference
NODE_CLASS_REF = Struct(
    "NodeClassReference", _fields(("Kind", "kind", STRING), ("Name", "name", STRING), ("Group", "group", STRING))
)
# kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go NodeClaimTemplate, ObjectMeta, NodeClaimTemplateSpec
NODE_CLAIM_TEMPLATE = Struct(
    "NodeClaimTemplate",
    _fields(
        ("ObjectMeta", "metadata", Struct(
            "ObjectMeta",
            _fields(("Labels", "labels", Map(STRING, STRING)), ("Annotations", "annotations", Map(STRING, STRING))),
        )),
        ("Spec", "spec", Struct(
            "NodeClaimTemplateSpec",
            _fields(
                ("Taints", "taints", Slice(TAINT)),
                ("StartupTaints", "startupTaints", Slice(TAINT)),
                ("Requirements", "requirements", Slice(Iface()), True),
                ("NodeClassRef", "nodeClassRef", Ptr(NODE_CLASS_REF)),
                ("TerminationGracePeriod", "terminationGracePeriod", Ptr(META_DURATION)),
                ("ExpireAfter", "expireAfter", NILLABLE_DURATION),
            ),
        )),
    ),
)  # fmt: skip

# Azure/karpenter-provider-azure pkg/apis/v1beta1/aksnodeclass.go, the types AKSNodeClassSpec holds
_ZONE_OVERRIDE = Struct(
    "LocalDNSZoneOverride",
    _fields(
        ("Zone", "zone", STRING), ("QueryLogging", "queryLogging", STRING), ("Protocol", "protocol", STRING),
        ("ForwardDestination", "forwardDestination", STRING), ("ForwardPolicy", "forwardPolicy", STRING),
        ("MaxConcurrent", "maxConcurrent", Ptr(INT32)), ("CacheDuration", "cacheDuration", NILLABLE_DURATION),
        ("ServeStaleDuration", "serveStaleDuration", NILLABLE_DURATION), ("ServeStale", "serveStale", STRING),
    ),
)  # fmt: skip
_KUBELET = Struct(
    "KubeletConfiguration",
    _fields(
        ("CPUManagerPolicy", "cpuManagerPolicy", Ptr(STRING)), ("CPUCFSQuota", "cpuCFSQuota", Ptr(BOOL)),
        ("CPUCFSQuotaPeriod", "cpuCFSQuotaPeriod", META_DURATION),
        ("ImageGCHighThresholdPercent", "imageGCHighThresholdPercent", Ptr(INT32)),
        ("ImageGCLowThresholdPercent", "imageGCLowThresholdPercent", Ptr(INT32)),
        ("TopologyManagerPolicy", "topologyManagerPolicy", Ptr(STRING)),
        ("AllowedUnsafeSysctls", "allowedUnsafeSysctls", Slice(STRING)),
        ("ContainerLogMaxSize", "containerLogMaxSize", Ptr(STRING)),
        ("ContainerLogMaxFiles", "containerLogMaxFiles", Ptr(INT32)), ("PodPidsLimit", "podPidsLimit", Ptr(INT64)),
        ("FailSwapOn", "failSwapOn", Ptr(BOOL)),
    ),
)  # fmt: skip
_SYSCTLS = (
    "FsAioMaxNr", "FsFileMax", "FsInotifyMaxUserWatches", "FsNrOpen", "KernelThreadsMax",
    "NetCoreNetdevMaxBacklog", "NetCoreOptmemMax", "NetCoreRmemDefault", "NetCoreRmemMax", "NetCoreSomaxconn",
    "NetCoreWmemDefault", "NetCoreWmemMax", "NetIPv4IPLocalPortRange", "NetIPv4NeighDefaultGcThresh1",
    "NetIPv4NeighDefaultGcThresh2", "NetIPv4NeighDefaultGcThresh3", "NetIPv4TCPFinTimeout",
    "NetIPv4TCPKeepaliveProbes", "NetIPv4TCPKeepaliveTime", "NetIPv4TCPMaxSynBacklog",
    "NetIPv4TCPMaxTwBuckets", "NetIPv4TCPTwReuse", "NetIPv4TCPKeepaliveIntvl",
    "NetNetfilterNfConntrackBuckets", "NetNetfilterNfConntrackMax", "VMMaxMapCount", "VMSwappiness",
    "VMVfsCachePressure",
)  # fmt: skip
_SYSCTL_TYPES = {"NetIPv4IPLocalPortRange": Ptr(STRING), "NetIPv4TCPTwReuse": Ptr(BOOL)}  # the rest *int32
_SYSCTL = Struct(
    "SysctlConfiguration",
    tuple(
        Field(go, ("vm" + go[2:]) if go.startswith("VM") else go[0].lower() + go[1:], _SYSCTL_TYPES.get(go, Ptr(INT32)))
        for go in _SYSCTLS
    ),
)
AKS_NODE_CLASS_SPEC = Struct(
    "AKSNodeClassSpec",
    _fields(
        ("VNETSubnetID", "vnetSubnetID", Ptr(STRING)), ("OSDiskSizeGB", "osDiskSizeGB", Ptr(INT32)),
        ("ImageID", None, Ptr(STRING)), ("ImageFamily", "imageFamily", Ptr(STRING)),
        ("FIPSMode", "fipsMode", Ptr(STRING)),
        ("Tags", "tags", Map(STRING, STRING), True), ("Kubelet", "kubelet", Ptr(_KUBELET)),
        ("MaxPods", "maxPods", Ptr(INT32)),
        ("Security", "security", Ptr(Struct("Security", _fields(
            ("EncryptionAtHost", "encryptionAtHost", Ptr(BOOL)),
            ("TrustedLaunch", "trustedLaunch", Ptr(Struct("TrustedLaunch", _fields(
                ("VTPM", "vtpm", Ptr(BOOL)), ("SecureBoot", "secureBoot", Ptr(BOOL)),
            )))),
        )))),
        ("LocalDNS", "localDNS", Ptr(Struct("LocalDNS", _fields(
            ("Mode", "mode", STRING), ("VnetDNSOverrides", "vnetDNSOverrides", Slice(_ZONE_OVERRIDE)),
            ("KubeDNSOverrides", "kubeDNSOverrides", Slice(_ZONE_OVERRIDE)),
        )))),
        ("GPU", "gpu", Ptr(Struct("GPU", _fields(("Mode", "mode", Ptr(STRING)))))),
        ("ArtifactStreaming", "artifactStreaming", Ptr(Struct(
            "ArtifactStreaming", _fields(("Enabled", "enabled", Ptr(BOOL))),
        ))),
        ("LinuxOSConfig", "linuxOSConfig", Ptr(Struct("LinuxOSConfiguration", _fields(
            ("SwapFileSize", "swapFileSize", Ptr(STRING)), ("Sysctls", "sysctls", Ptr(_SYSCTL)),
            ("TransparentHugePageDefrag", "transparentHugePageDefrag", Ptr(STRING)),
            ("TransparentHugePageEnabled", "transparentHugePageEnabled", Ptr(STRING)),
        )))),
    ),
)  # fmt: skip


def from_json(go: Any, value: Any) -> Any:
    """``value`` (an object as the API server returns it) as encoding/json would fill ``go``: None is a
    nil pointer, slice or map; a struct is {Go field name: value}, its absent fields left out (zero)."""
    if value is None:
        return None
    if isinstance(go, Ptr):
        return from_json(go.elem, value)
    if isinstance(go, Struct):
        if go.decode is not None:
            return go.decode(value)
        if not isinstance(value, Mapping):
            return {}
        out = {f.go: from_json(f.type, value.get(f.json)) for f in go.fields if f.json is not None and f.json in value}
        return {k: v for k, v in out.items() if v is not None}
    if isinstance(go, Slice):
        return [from_json(go.elem, v) for v in value] if isinstance(value, list) else None
    if isinstance(go, Map):
        return {str(k): from_json(go.value, v) for k, v in value.items()} if isinstance(value, Mapping) else None
    if isinstance(go, Str):
        return value if isinstance(value, str) else ""
    if isinstance(go, Int):
        return bool(value) if go.bits == 8 and go.signed and isinstance(value, bool) else int(value)
    return value


def _zero(go: Any) -> Any:
    """The value visit sees for a nil or absent ``go`` (a nil map or slice walks as an empty one)."""
    if isinstance(go, Str):
        return ""
    if isinstance(go, Int):
        return False if go == BOOL else 0
    if isinstance(go, Slice):
        return []
    return {} if isinstance(go, Struct | Map) else None


def is_zero(go: Any, value: Any) -> bool:
    """reflect.Value.IsZero: a nil pointer, slice, map; "", 0, false; a struct of zero fields."""
    if value is None:
        return True
    if isinstance(go, Struct):
        return all(is_zero(f.type, value.get(f.go)) for f in go.fields)
    if isinstance(go, Str | Int):
        return not value
    return False


def _iface_type(value: Any) -> Any:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT64
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return Slice(Iface())
    return Map(STRING, Iface())


def visit(go: Any, value: Any, opts: Options) -> int:
    """hashstructure.go walker.visit for one Go value (FormatV2; no hash:"set" tag is used here)."""
    while isinstance(go, Ptr | Iface):
        if isinstance(go, Iface):
            go = _iface_type(value)
        elif value is None:  # ZeroNil: a nil *T is T's zero; without it reflect.Zero(int)
            go, value = (go.elem, _zero(go.elem)) if opts.zero_nil else (INT64, 0)
        else:
            go = go.elem
    if value is None:
        value = _zero(go)
    if isinstance(go, Int):  # binary.Write little-endian, bool as int8
        return fnv1_64((int(value) & ((1 << go.bits) - 1)).to_bytes(go.bits // 8, "little"))
    if isinstance(go, Str):
        return fnv1_64(str(value).encode())
    if isinstance(go, Time):
        return fnv1_64(_time_bytes(value))
    if isinstance(go, Map):
        h = 0
        for key, item in value.items():
            h ^= _ordered(visit(go.key, key, opts), visit(go.value, item, opts))
        return _finish(h)
    if isinstance(go, Slice):
        h = 0
        for item in value:
            current = visit(go.elem, item, opts)
            h = h ^ current if opts.sets else _ordered(h, current)
        return h  # SlicesAsSets alone is not the "set" tag: no hashFinishUnordered
    h = visit(STRING, go.name, opts)
    for f in go.fields:
        inner = value.get(f.go)
        if f.ignore or (opts.ignore_zero and is_zero(f.type, inner)):
            continue
        h = _finish(h ^ _ordered(visit(STRING, f.go, opts), visit(f.type, inner, opts)))
    return h


def go_hash(go: Any, value: Any, opts: Options = KARPENTER) -> str:
    """hashstructure.Hash of a Go value, printed as fmt.Sprint prints the uint64."""
    return str(visit(go, value, opts))


def nodepool_hash(pool: Mapping[str, Any]) -> str:
    """nodepool.go NodePool.Hash: the karpenter.sh/nodepool-hash Karpenter stamps on the NodePool."""
    template = (pool.get("spec") or {}).get("template") or {}
    return go_hash(NODE_CLAIM_TEMPLATE, from_json(NODE_CLAIM_TEMPLATE, template))


def aksnodeclass_hash(node_class: Mapping[str, Any]) -> str:
    """aksnodeclass.go AKSNodeClass.Hash: the karpenter.azure.com/aksnodeclass-hash of the class."""
    return go_hash(AKS_NODE_CLASS_SPEC, from_json(AKS_NODE_CLASS_SPEC, node_class.get("spec") or {}))
