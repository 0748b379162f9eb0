"""When the lab's Prometheus first scrapes a target: at its offset within the interval, pinned to
absolute time, as prometheus/prometheus d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86 spreads its scrapes:

* ``scrape/target.go`` offset: base = interval - now % interval, offset = (hash ^ offsetSeed) %
  interval, next = base + offset, less one interval when over it (nanoseconds). So a target is
  scraped at the times t where t % interval is its offset, whenever it appeared.
* ``scrape/target.go`` hash: FNV-1a 64 of the label set's hash written ``%016d``, then the
  target's URL. The label set's hash is xxHash64 of ``name 0xff value 0xff`` per label, in name
  order (``model/labels/labels_slicelabels.go`` Hash).
* ``scrape/manager.go`` setOffsetSeed: FNV-1a 64 of the host's name and the external labels
  (``labels.String()``, ``{a="b", c="d"}``). The Prometheus Operator's external labels are
  ``prometheus: <namespace>/<name>`` and ``prometheus_replica: <pod>``, and its pods are
  ``prometheus-<name>-<ordinal>`` (prometheus-operator 6adcebc5 pkg/prometheus/promcfg.go
  buildExternalLabels; pkg/prometheus/server/statefulset.go). The lab takes the pod's name as the
  host's name (upstream reads the FQDN) and the first replica.

The target's labels are the lab's (prometheus_server.py Target) plus ``__address__``,
``__metrics_path__``, ``__scheme__``, ``__scrape_interval__`` and ``__scrape_timeout__``: close to a
real server's, not proven the same, so a real server may pick another second for the same pod.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

_P1, _P2, _P3, _P4, _P5 = (
    0x9E3779B185EBCA87,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0x85EBCA77C2B2AE63,
    0x27D4EB2F165667C5,
)
_M = (1 << 64) - 1
NANO = 1_000_000_000


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _M, 31) * _P1) & _M


def _merge(acc: int, val: int) -> int:
    return ((acc ^ _round(0, val)) * _P1 + _P4) & _M


def xxhash64(data: bytes, seed: int = 0) -> int:
    """xxHash64 (cespare/xxhash Sum64 is seed 0)."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + _P1 + _P2) & _M, (seed + _P2) & _M, seed & _M, (seed - _P1) & _M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = _round(v[k], int.from_bytes(data[i + 8 * k : i + 8 * k + 8], "little"))
            i += 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M
        for lane in v:
            h = _merge(h, lane)
    else:
        h = (seed + _P5) & _M
    h = (h + n) & _M
    while i + 8 <= n:
        h = ((_rotl(h ^ _round(0, int.from_bytes(data[i : i + 8], "little")), 27) * _P1) + _P4) & _M
        i += 8
    if i + 4 <= n:
        h = ((_rotl(h ^ (int.from_bytes(data[i : i + 4], "little") * _P1 & _M), 23) * _P2) + _P3) & _M
        i += 4
    while i < n:
        h = (_rotl(h ^ (data[i] * _P5 & _M), 11) * _P1) & _M
        i += 1
    h ^= h >> 33
    h = (h * _P2) & _M
    h ^= h >> 29
    h = (h * _P3) & _M
    return h ^ (h >> 32)


def fnv64a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & _M
    return h


def labels_hash(labels: Mapping[str, str]) -> int:
    """model/labels Labels.Hash."""
    return xxhash64(b"".join(k.encode() + b"\xff" + v.encode() + b"\xff" for k, v in sorted(labels.items())))


def labels_string(labels: Mapping[str, str]) -> str:
    """model/labels Labels.String: ``{name="value", ...}``, values quoted as Go's strconv.Quote."""
    return "{" + ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(labels.items())) + "}"


def offset_seed(namespace: str, name: str) -> int:
    """scrape/manager.go setOffsetSeed for replica 0 of the Prometheus ``namespace/name``."""
    pod = f"prometheus-{name}-0"
    external = {"prometheus": f"{namespace}/{name}", "prometheus_replica": pod}
    return fnv64a((pod + labels_string(external)).encode())


def target_hash(labels: Mapping[str, str], url: str) -> int:
    """scrape/target.go Target.hash."""
    return fnv64a(f"{labels_hash(labels):016d}".encode() + url.encode())


def first_scrape(now: float, interval: float, target: int, seed: int) -> float:
    """When a target that appears at ``now`` (Unix seconds) is first scraped (scrape/target.go offset)."""
    step = round(interval * NANO)
    at = round(now * NANO)
    base = step - at % step
    nxt = base + (target ^ seed) % step
    if nxt > step:
        nxt -= step
    return (at + nxt) / NANO
