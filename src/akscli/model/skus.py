"""Azure GPU VM sizes: hardware facts and prices, from the dated data file data/gpu_skus.yaml.

Everything that needs to know what a GPU VM size holds (model planning, node pools, bare metal,
cost) reads it from here, so there is one table to keep current. ``load(price_file)`` replaces the
prices with the user's own (a negotiated rate, a reservation, another region) and keeps the facts.
"""

import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from akscli import datafiles
from akscli.errors import UsageError
from akscli.records import Record

DEFAULT_REGION = "eastus"


NO_PRICES: Mapping[str, float] = MappingProxyType({})


class GpuSku(Record):
    """One GPU VM size. A Record: ``model plan`` imports it (akscli.output.Column says why)."""

    vm_size: str
    gpu_model: str
    gpu_family: str
    gpus: int
    gpu_memory_gib: float
    vcpus: int
    memory_gib: float
    interconnect: str
    mem_bandwidth_gbps: float
    prices: Mapping[str, float] = NO_PRICES
    aliases: tuple[str, ...] = ()
    source: str = ""

    @property
    def total_gpu_memory_gib(self) -> float:
        return self.gpus * self.gpu_memory_gib

    def price(self, region: str = DEFAULT_REGION) -> float | None:
        return self.prices.get(region.lower())


_lock = threading.Lock()
_active: list[GpuSku] | None = None
_as_of: str = ""


def _sku_from(row: Mapping[str, Any]) -> GpuSku:
    try:
        return GpuSku(
            vm_size=str(row["vm_size"]),
            gpu_model=str(row["gpu_model"]),
            gpu_family=str(row["gpu_family"]).lower(),
            gpus=int(row["gpus"]),
            gpu_memory_gib=float(row["gpu_memory_gib"]),
            vcpus=int(row["vcpus"]),
            memory_gib=float(row["memory_gib"]),
            interconnect=str(row.get("interconnect") or ""),
            mem_bandwidth_gbps=float(row["mem_bandwidth_gbps"]),
            prices=MappingProxyType({str(k).lower(): float(v) for k, v in (row.get("prices") or {}).items()}),
            aliases=tuple(str(a) for a in row.get("aliases") or ()),
            source=str(row.get("source") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(
            f"GPU SKU data row {row.get('vm_size', '?')!r} is incomplete: {exc}",
            hint=f"each row in {datafiles.source_path('gpu_skus').name} needs vm_size, gpus, gpu_memory_gib, "
            "vcpus, ...",
        ) from exc


def _read_builtin() -> tuple[list[GpuSku], str]:
    doc = datafiles.load("gpu_skus")
    return [_sku_from(r) for r in doc["skus"]], str(doc.get("as_of", ""))


def read_price_file(path: str) -> dict[str, dict[str, float]]:
    """Prices from a user file: CSV (columns sku or vm_size, region, price_usd_per_hour) or
    YAML/JSON (``skus: [{vm_size, prices: {region: usd}}]`` or ``{vm_size: {region: usd}}``)."""
    from pathlib import Path  # only for a --price-file: `model plan` reads none by default

    p = Path(path)
    if not p.is_file():
        raise UsageError(
            f"price file {path!r} does not exist",
            hint="give a CSV with columns vm_size,region,price_usd_per_hour or a YAML file",
        )
    from akscli import yamlio

    text = yamlio.read_text(p, f"price file {path}")
    out: dict[str, dict[str, float]] = {}
    if p.suffix.lower() == ".csv":
        import csv  # only for a --price-file in CSV

        reader = csv.DictReader(text.splitlines())
        columns = set(reader.fieldnames or [])
        if not (columns & {"vm_size", "sku"} and "region" in columns and columns & {"price_usd_per_hour", "price"}):
            raise UsageError(
                f"price file {path!r} has the columns {', '.join(sorted(columns)) or 'none'}",
                hint="it needs the columns vm_size (or sku), region and price_usd_per_hour (or price)",
            )
        for n, row in enumerate(reader, start=2):
            size = (row.get("vm_size") or row.get("sku") or "").strip()
            region = (row.get("region") or "").strip().lower()
            raw = (row.get("price_usd_per_hour") or row.get("price") or "").strip()
            if not size or not region or not raw:
                continue
            out.setdefault(size, {})[region] = _price(raw, f"price file {path!r} line {n}")
        if not out:
            raise UsageError(f"price file {path!r} has no prices", hint="add rows: vm_size,region,price_usd_per_hour")
        return out
    doc = yamlio.load(text, path)
    rows: list[Mapping[str, Any]]
    if isinstance(doc, Mapping) and isinstance(doc.get("skus"), list):
        rows = doc["skus"]
    elif isinstance(doc, Mapping):
        rows = [{"vm_size": k, "prices": v} for k, v in doc.items()]
    else:
        raise UsageError(
            f"price file {path!r} has no prices",
            hint="write 'Standard_NC24ads_A100_v4: {eastus: 3.1}' or a 'skus:' list",
        )
    for entry in rows:
        prices = entry.get("prices") if isinstance(entry, Mapping) else None
        if not isinstance(prices, Mapping) or "vm_size" not in entry:
            raise UsageError(
                f"price file {path!r}: each entry needs vm_size and prices",
                hint="prices map a region to USD per hour: {eastus: 3.1}",
            )
        where = f"price file {path!r}: {entry['vm_size']}"
        out.setdefault(str(entry["vm_size"]), {}).update({str(k).lower(): _price(v, where) for k, v in prices.items()})
    return out


MAX_PRICE_USD_PER_HOUR = 1000.0  # the dearest GPU VM in the shipped table is about 128 USD an hour


def _price(raw: Any, where: str) -> float:
    """A price in USD per hour: a finite number above zero (a negative, zero, NaN or infinite
    price would make a plan pick the wrong size, or drop one, without a word)."""
    hint = "prices are USD per hour, for example 3.673"
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where}: price {str(raw)[:40]!r} is not a number", hint=hint) from exc
    if not 0 < value <= MAX_PRICE_USD_PER_HOUR:  # NaN fails this too
        raise UsageError(f"{where}: price {str(raw)[:40]!r} is not between 0 and {MAX_PRICE_USD_PER_HOUR:g}", hint=hint)
    return value


def load(price_file: str | None = None) -> list[GpuSku]:
    """(Re)load the table; with ``price_file``, that file's prices replace the built-in ones for
    the sizes it names (and only those)."""
    global _active, _as_of
    base, as_of = _read_builtin()
    if price_file:
        raw = read_price_file(price_file)
        overrides = {k.lower(): v for k, v in raw.items()}
        given = {k.lower(): k for k in raw}
        known = {s.vm_size.lower() for s in base} | {a.lower() for s in base for a in s.aliases}
        unknown = sorted(given[k] for k in set(overrides) - known)
        if unknown:
            raise UsageError(
                f"price file names unknown VM size(s): {', '.join(unknown)}",
                hint=f"known sizes: {', '.join(s.vm_size for s in base)}",
            )
        merged = []
        for s in base:
            names = [s.vm_size.lower(), *(a.lower() for a in s.aliases)]
            mine = next((overrides[n] for n in names if n in overrides), None)
            merged.append(s._replace(prices=MappingProxyType(dict(mine))) if mine else s)
        base = merged
        as_of = f"{as_of} (prices from {price_file})"
    with _lock:
        _active, _as_of = base, as_of
    return list(base)


def _table() -> list[GpuSku]:
    with _lock:
        if _active is not None:
            return _active
    return load()


def as_of() -> str:
    _table()
    return _as_of


def all_skus() -> list[GpuSku]:
    return list(_table())


def get(vm_size: str) -> GpuSku | None:
    key = vm_size.strip().lower()
    for s in _table():
        if s.vm_size.lower() == key or key in (a.lower() for a in s.aliases):
            return s
    return None


def find(gpu_family: str, gpus_per_node: int) -> GpuSku:
    """The cheapest (then smallest) size with that GPU family and GPU count per node."""
    fam = gpu_family.strip().lower()
    matches = [s for s in _table() if s.gpu_family == fam and s.gpus == gpus_per_node]
    if not matches:
        have = sorted({f"{s.gpu_family} x{s.gpus}" for s in _table()})
        raise UsageError(
            f"no Azure GPU VM size has {gpus_per_node} x {gpu_family}", hint=f"available: {', '.join(have)}"
        )
    return min(matches, key=lambda s: (s.price() is None, s.price() or 0.0, s.vcpus))


def price(vm_size: str, region: str = DEFAULT_REGION) -> float | None:
    s = get(vm_size)
    return s.price(region) if s else None


def regions() -> list[str]:
    return sorted({r for s in _table() for r in s.prices})
