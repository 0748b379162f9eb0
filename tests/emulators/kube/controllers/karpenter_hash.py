"""The simulator's own port of Karpenter's drift hashes (the karpenter.sh/nodepool-hash and
karpenter.azure.com/aksnodeclass-hash annotations), written from upstream for the emulator and not
shared with akscli, upstream kubernetes-sigs/karpenter
(akscli.nap.hashes is its own reading; tests/foundation/test_emulator_cross_check.py
runs both on upstream's vectors so a drift in either shows).

Upstream read for it:
- kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go NodePool.Hash: hashstructure.Hash(Spec.Template,
  FormatV2, SlicesAsSets, IgnoreZeroValue, ZeroNil), printed with fmt.Sprint; the types
  NodeClaimTemplate, ObjectMeta, NodeClaimTemplateSpec (Requirements hash:"ignore");
  pkg/apis/v1/nodeclaim.go NodeClassReference; pkg/apis/v1/duration.go NillableDuration
  (an embedded *time.Duration, Raw hash:"ignore"; UnmarshalJSON: "Never" leaves it nil).
- Azure/karpenter-provider-azure pkg/apis/v1beta1/aksnodeclass.go AKSNodeClass.Hash (the same
  options over Spec) and AKSNodeClassSpec's types, in declaration order (Tags hash:"ignore";
  ImageID json:"-", never read from JSON).
- mitchellh/hashstructure v2 hashstructure.go walker.visit: fnv.New64 (FNV-1); a struct is its type
  name's hash, then per field (unexported, hash:"ignore" and, with IgnoreZeroValue, zero fields
  skipped) hashFinishUnordered(h ^ hashUpdateOrdered(name, value)); a map XORs
  hashUpdateOrdered(key, value) and is finished; a slice with SlicesAsSets XORs its elements with
  no finish (that is only for the "set" tag); bool as int8, int as int64, binary.Write little-endian;
  with ZeroNil a nil pointer hashes as its element type's zero.
- kubernetes/api core/v1 types.go Taint; apimachinery meta/v1 duration.go Duration, time.go Time.
  A Taint's timeAdded hashes Go's time.Time MarshalBinary (version 1: seconds since year 1,
  nanoseconds, the zone offset in minutes; the Local zone of a container with no TZ is offset 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tests.emulators.kube.go_duration import go_duration

_WORD = (1 << 64) - 1


def fnv64(data: bytes) -> int:
    """hash/fnv New64: for each byte, multiply by the prime, then xor."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h * 0x100000001B3) & _WORD) ^ b
    return h


def _le(x: int) -> bytes:
    return x.to_bytes(8, "little")


def _ordered(a: int, b: int) -> int:  # hashUpdateOrdered
    return fnv64(_le(a) + _le(b))


def _finish(a: int) -> int:  # hashFinishUnordered
    return fnv64(_le(a))


# The Go types, one line a field: "GoName json-tag type" (json "-": never read; a trailing
# "ignore": hash:"ignore"). Types: string, bool, int32, int64, *T, []T, map[string]T, or a name.
_DECLARED = """
NodeClaimTemplate: ObjectMeta metadata ObjectMeta | Spec spec NodeClaimTemplateSpec
ObjectMeta: Labels labels map[string]string | Annotations annotations map[string]string
NodeClaimTemplateSpec: Taints taints []Taint | StartupTaints startupTaints []Taint
  | Requirements requirements []any ignore | NodeClassRef nodeClassRef *NodeClassReference
  | TerminationGracePeriod terminationGracePeriod *Duration | ExpireAfter expireAfter NillableDuration
NodeClassReference: Kind kind string | Name name string | Group group string
Taint: Key key string | Value value string | Effect effect string | TimeAdded timeAdded *Time
NillableDuration: Duration - *int64 | Raw - []uint8 ignore
Duration: Duration - int64
Time: Time - time
AKSNodeClassSpec: VNETSubnetID vnetSubnetID *string | OSDiskSizeGB osDiskSizeGB *int32
  | ImageID - *string | ImageFamily imageFamily *string | FIPSMode fipsMode *string
  | Tags tags map[string]string ignore | Kubelet kubelet *KubeletConfiguration | MaxPods maxPods *int32
  | Security security *Security | LocalDNS localDNS *LocalDNS | GPU gpu *GPU
  | ArtifactStreaming artifactStreaming *ArtifactStreaming | LinuxOSConfig linuxOSConfig *LinuxOSConfiguration
ArtifactStreaming: Enabled enabled *bool
TrustedLaunch: VTPM vtpm *bool | SecureBoot secureBoot *bool
Security: EncryptionAtHost encryptionAtHost *bool | TrustedLaunch trustedLaunch *TrustedLaunch
LocalDNS: Mode mode string | VnetDNSOverrides vnetDNSOverrides []LocalDNSZoneOverride
  | KubeDNSOverrides kubeDNSOverrides []LocalDNSZoneOverride
LocalDNSZoneOverride: Zone zone string | QueryLogging queryLogging string | Protocol protocol string
  | ForwardDestination forwardDestination string | ForwardPolicy forwardPolicy string
  | MaxConcurrent maxConcurrent *int32 | CacheDuration cacheDuration NillableDuration
  | ServeStaleDuration serveStaleDuration NillableDuration | ServeStale serveStale string
GPU: Mode mode *string
KubeletConfiguration: CPUManagerPolicy cpuManagerPolicy *string | CPUCFSQuota cpuCFSQuota *bool
  | CPUCFSQuotaPeriod cpuCFSQuotaPeriod Duration
  | ImageGCHighThresholdPercent imageGCHighThresholdPercent *int32
  | ImageGCLowThresholdPercent imageGCLowThresholdPercent *int32
  | TopologyManagerPolicy topologyManagerPolicy *string | AllowedUnsafeSysctls allowedUnsafeSysctls []string
  | ContainerLogMaxSize containerLogMaxSize *string | ContainerLogMaxFiles containerLogMaxFiles *int32
  | PodPidsLimit podPidsLimit *int64 | FailSwapOn failSwapOn *bool
LinuxOSConfiguration: SwapFileSize swapFileSize *string | Sysctls sysctls *SysctlConfiguration
  | TransparentHugePageDefrag transparentHugePageDefrag *string
  | TransparentHugePageEnabled transparentHugePageEnabled *string
SysctlConfiguration: FsAioMaxNr fsAioMaxNr *int32 | FsFileMax fsFileMax *int32
  | FsInotifyMaxUserWatches fsInotifyMaxUserWatches *int32 | FsNrOpen fsNrOpen *int32
  | KernelThreadsMax kernelThreadsMax *int32 | NetCoreNetdevMaxBacklog netCoreNetdevMaxBacklog *int32
  | NetCoreOptmemMax netCoreOptmemMax *int32 | NetCoreRmemDefault netCoreRmemDefault *int32
  | NetCoreRmemMax netCoreRmemMax *int32 | NetCoreSomaxconn netCoreSomaxconn *int32
  | NetCoreWmemDefault netCoreWmemDefault *int32 | NetCoreWmemMax netCoreWmemMax *int32
  | NetIPv4IPLocalPortRange netIPv4IPLocalPortRange *string
  | NetIPv4NeighDefaultGcThresh1 netIPv4NeighDefaultGcThresh1 *int32
  | NetIPv4NeighDefaultGcThresh2 netIPv4NeighDefaultGcThresh2 *int32
  | NetIPv4NeighDefaultGcThresh3 netIPv4NeighDefaultGcThresh3 *int32
  | NetIPv4TCPFinTimeout netIPv4TCPFinTimeout *int32 | NetIPv4TCPKeepaliveProbes netIPv4TCPKeepaliveProbes *int32
  | NetIPv4TCPKeepaliveTime netIPv4TCPKeepaliveTime *int32 | NetIPv4TCPMaxSynBacklog netIPv4TCPMaxSynBacklog *int32
  | NetIPv4TCPMaxTwBuckets netIPv4TCPMaxTwBuckets *int32 | NetIPv4TCPTwReuse netIPv4TCPTwReuse *bool
  | NetIPv4TCPKeepaliveIntvl netIPv4TCPKeepaliveIntvl *int32
  | NetNetfilterNfConntrackBuckets netNetfilterNfConntrackBuckets *int32
  | NetNetfilterNfConntrackMax netNetfilterNfConntrackMax *int32 | VMMaxMapCount vmMaxMapCount *int32
  | VMSwappiness vmSwappiness *int32 | VMVfsCachePressure vmVfsCachePressure *int32
"""
Field = tuple[str, str, str, bool]  # Go name, json tag, type, hash:"ignore"


def _parse_declared(text: str) -> dict[str, tuple[Field, ...]]:
    out: dict[str, tuple[Field, ...]] = {}
    for decl in re.split(r"\n(?=\S)", text.strip()):
        name, body = decl.split(":", 1)
        rows = [part.split() for part in body.replace("\n", " ").split("|")]
        out[name] = tuple((r[0], r[1], r[2], r[3:] == ["ignore"]) for r in rows)
    return out


STRUCTS = _parse_declared(_DECLARED)
_BITS = {"bool": 8, "uint8": 8, "int32": 32, "int64": 64}


def _time(raw: Any) -> tuple[int, int] | None:
    """metav1.Time.UnmarshalJSON: time.Parse(RFC3339), as (seconds since January 1 of year 1, ns)."""
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    frac = re.search(r"\.(\d+)", raw)
    nanos = int((frac.group(1) if frac else "0")[:9].ljust(9, "0"))
    return int(moment.replace(microsecond=0).astimezone(UTC).timestamp()) + 62135596800, nanos


# The types with their own UnmarshalJSON: the JSON value as {Go field name: Go value}.
_CUSTOM: dict[str, Callable[[Any], dict[str, Any]]] = {
    # kubernetes-sigs/karpenter pkg/apis/v1/duration.go NillableDuration.UnmarshalJSON: "Never" leaves Duration nil;
    # else ParseDuration.
    "NillableDuration": lambda raw: (
        {"Duration": d, "Raw": raw}
        if isinstance(raw, str) and raw != "Never" and (d := go_duration(raw)) is not None
        else {}
    ),
    # kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/duration.go Duration.UnmarshalJSON:
    # ParseDuration of the string.
    "Duration": lambda raw: {"Duration": d} if isinstance(raw, str) and (d := go_duration(raw)) is not None else {},
    "Time": lambda raw: {"Time": t} if (t := _time(raw)) is not None else {},
}


def decode(typ: str, raw: Any) -> Any:
    """encoding/json into the Go type: None stands for nil (a JSON null or absent pointer, slice or
    map); a struct is {Go name: value} holding only the fields the JSON sets."""
    if raw is None:
        return None
    if typ.startswith("*"):
        return decode(typ[1:], raw)
    if typ.startswith("[]"):
        return [decode(typ[2:], item) for item in raw] if isinstance(raw, list) else None
    if typ.startswith("map[string]"):
        return {str(k): decode(typ[11:], v) for k, v in raw.items()} if isinstance(raw, Mapping) else None
    if typ == "string":
        return raw if isinstance(raw, str) else ""
    if typ in _BITS:
        return bool(raw) if typ == "bool" else int(raw)
    if typ in _CUSTOM:
        return _CUSTOM[typ](raw)
    if typ in STRUCTS:
        got = raw if isinstance(raw, Mapping) else {}
        fields = ((go, decode(t, got.get(tag))) for go, tag, t, _ in STRUCTS[typ] if tag != "-" and tag in got)
        return {go: value for go, value in fields if value is not None}
    return raw  # "any", "time": kept as read


def _is_zero(typ: str, value: Any) -> bool:
    """reflect.Value.IsZero: nil pointers, slices and maps (an empty but non-nil one is not zero)."""
    if value is None:
        return True
    if typ in STRUCTS:
        return all(_is_zero(t, value.get(go)) for go, _, t, _ in STRUCTS[typ])
    if typ in ("string", *_BITS):
        return not value
    return False


def _zero_of(typ: str) -> Any:
    if typ.startswith("*"):
        return _zero_of(typ[1:])
    if typ == "string":
        return ""
    if typ in _BITS:
        return 0
    if typ.startswith("[]"):
        return []
    return {} if typ in STRUCTS or typ.startswith("map[") else None


def _time_binary(value: tuple[int, int] | None) -> bytes:
    """time.Time.MarshalBinary version 1; the zero Time is UTC (offset -1), a parsed one Local (0)."""
    seconds, nanos = value if value is not None else (0, 0)
    zone = 0 if value is not None else -1
    return (
        b"\x01"
        + seconds.to_bytes(8, "big", signed=True)
        + nanos.to_bytes(4, "big")
        + zone.to_bytes(2, "big", signed=True)
    )


def _any_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, str):
        return "string"
    return "[]any" if isinstance(value, list) else "map[string]any"


def walk(typ: str, value: Any) -> int:
    """walker.visit with SlicesAsSets, IgnoreZeroValue and ZeroNil."""
    if typ == "any":
        typ = _any_type(value)
    if typ.startswith("*"):
        return walk(typ[1:], _zero_of(typ[1:]) if value is None else value)
    if value is None:
        value = _zero_of(typ)
    if typ in _BITS:
        return fnv64((int(value) & ((1 << _BITS[typ]) - 1)).to_bytes(_BITS[typ] // 8, "little"))
    if typ == "string":
        return fnv64(value.encode())
    if typ == "time":
        return fnv64(_time_binary(value))
    if typ.startswith("[]"):
        acc = 0
        for item in value:
            acc ^= walk(typ[2:], item)
        return acc
    if typ.startswith("map[string]"):
        acc = 0
        for key, item in value.items():
            acc ^= _ordered(walk("string", key), walk(typ[11:], item))
        return _finish(acc)
    h = walk("string", typ)
    for go, _, t, ignore in STRUCTS[typ]:
        inner = value.get(go)
        if not ignore and not _is_zero(t, inner):
            h = _finish(h ^ _ordered(walk("string", go), walk(t, inner)))
    return h


def nodepool_hash(pool: Mapping[str, Any]) -> str:
    """NodePool.Hash over spec.template."""
    template = (pool.get("spec") or {}).get("template") or {}
    return str(walk("NodeClaimTemplate", decode("NodeClaimTemplate", template)))


def aksnodeclass_hash(node_class: Mapping[str, Any]) -> str:
    """AKSNodeClass.Hash over spec."""
    return str(walk("AKSNodeClassSpec", decode("AKSNodeClassSpec", node_class.get("spec") or {})))
