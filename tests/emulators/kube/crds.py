"""CustomResourceDefinitions: reading the shared CRD files (once per process) and turning a
CRD object into the ResourceType the server serves."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from tests.emulators.kube.resources import ResourceType, Scale

_cache: dict[str, list[dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def shared_dir() -> Path:
    env = os.environ.get("AKSCLI_SHARED_DIR")
    if env:
        return Path(env)
    repo_root = Path(__file__).resolve().parents[3]
    return (repo_root / ".." / "shared").resolve()


def default_crd_dir() -> Path:
    return shared_dir() / "crds"


def _parse_yaml_docs(path: Path) -> list[dict[str, Any]]:
    import yaml  # PyYAML's libyaml loader parses the 6 MB of CRDs ten times faster than ruamel

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as fh:
        return [d for d in yaml.load_all(fh, Loader=loader) if isinstance(d, dict)]


def load_crd_dir(directory: Path) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition under ``directory`` (recursively), parsed once per
    process and cached on disk as JSON keyed by the files' sizes and mtimes, so a fresh
    emulator per test costs no YAML parsing. Callers get deep copies."""
    directory = directory.resolve()
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    with _cache_lock:
        cached = _cache.get(str(directory))
        if cached is None:
            cached = _load_uncached(files)
            _cache[str(directory)] = cached
    return copy.deepcopy(cached)


def _load_uncached(files: list[Path]) -> list[dict[str, Any]]:
    h = hashlib.sha256()
    for p in files:
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    disk = Path(tempfile.gettempdir()) / f"akscli-kube-emulator-crds-{h.hexdigest()[:20]}.json"
    try:
        data = json.loads(disk.read_text(encoding="utf-8"))
        if isinstance(data, list):
            return data
    except (OSError, ValueError):
        pass
    docs: list[dict[str, Any]] = []
    for p in files:
        if p.suffix == ".json":
            loaded = json.loads(p.read_text(encoding="utf-8"))
            candidates = loaded if isinstance(loaded, list) else [loaded]
        else:
            candidates = _parse_yaml_docs(p)
        docs.extend(d for d in candidates if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition")
    tmp = disk.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(docs, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, disk)
    except OSError:
        pass
    return docs


_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(v: str) -> tuple[int, int, int, str]:
    """Kubernetes version ordering: GA before beta before alpha, higher numbers first;
    non-conforming versions last, alphabetically."""
    m = _VERSION_RE.match(v)
    if not m:
        return (3, 0, 0, v)
    major = int(m.group(1))
    level = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    minor = int(m.group(3) or 0)
    return (level, -major, -minor, "")


def resource_type_from_crd(crd: dict[str, Any]) -> ResourceType:
    spec = crd["spec"]
    names = spec["names"]
    served = [v for v in spec.get("versions", []) if v.get("served", True)]
    if not served:
        raise ValueError("CRD serves no version")
    storage = next((v["name"] for v in spec["versions"] if v.get("storage")), served[0]["name"])
    ordered = sorted((v["name"] for v in served), key=version_priority)
    status = False
    scale: Scale | None = None
    schemas: dict[str, dict[str, Any]] = {}
    columns: dict[str, list[dict[str, Any]]] = {}
    for v in served:
        sub = v.get("subresources") or spec.get("subresources") or {}
        if "status" in sub:
            status = True
        if sub.get("scale"):
            sc = sub["scale"]
            scale = Scale(
                spec_replicas=sc.get("specReplicasPath", ".spec.replicas"),
                status_replicas=sc.get("statusReplicasPath", ".status.replicas"),
                label_selector=sc.get("labelSelectorPath"),
            )
        schema = (v.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")
        if schema:
            schemas[v["name"]] = schema
        columns[v["name"]] = v.get("additionalPrinterColumns") or []
    return ResourceType(
        group=spec["group"],
        versions=ordered,
        kind=names["kind"],
        plural=names["plural"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        short_names=list(names.get("shortNames") or []),
        categories=list(names.get("categories") or []),
        singular=names.get("singular") or names["kind"].lower(),
        status=status,
        scale=scale,
        generation=True,
        schemas=schemas,
        printer_columns=columns,
        crd=True,
        storage_version=storage,
        preferred_version=ordered[0],
    )


def established_status(crd: dict[str, Any], rt: ResourceType, now: str) -> dict[str, Any]:
    return {
        "acceptedNames": crd["spec"]["names"],
        "storedVersions": [rt.storage_version],
        "conditions": [
            {
                "type": "NamesAccepted",
                "status": "True",
                "reason": "NoConflicts",
                "message": "no conflicts found",
                "lastTransitionTime": now,
            },
            {
                "type": "Established",
                "status": "True",
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
                "lastTransitionTime": now,
            },
        ],
    }


_prepared: dict[str, list[tuple[ResourceType, dict[str, Any], bytes]]] = {}


def prepared_crds(directory: Path) -> list[tuple[ResourceType, dict[str, Any], bytes]]:
    """(ResourceType, original metadata, serialized body after metadata) per CRD, built once
    per process: a fresh emulator splices its own metadata in front and stores the bytes."""
    directory = directory.resolve()
    with _cache_lock:
        got = _prepared.get(str(directory))
    if got is not None:
        return got
    out = []
    for crd in load_crd_dir(directory):
        rt = resource_type_from_crd(crd)
        body = {k: v for k, v in crd.items() if k not in ("apiVersion", "kind", "metadata")}
        body["status"] = established_status(crd, rt, "2026-01-01T00:00:00Z")
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        out.append((rt, dict(crd.get("metadata") or {}), raw[1:]))
    with _cache_lock:
        _prepared[str(directory)] = out
    return out
