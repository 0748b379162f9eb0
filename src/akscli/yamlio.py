"""YAML and JSON in and out, through ruamel.yaml (the project's one YAML library)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from akscli.errors import UsageError


def _yaml(pure: bool = True) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=pure)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep apiVersion, kind, metadata first
    yaml.width = 4096
    return yaml


def load_all(text: str, source: str = "input") -> list[Any]:
    from ruamel.yaml.error import YAMLError

    try:
        return [doc for doc in _yaml().load_all(text) if doc is not None]
    except YAMLError as exc:
        # ruamel names the stream "<unicode string>": name the real source instead.
        first = str(exc).replace('"<unicode string>"', source).strip().splitlines()
        raise UsageError(
            f"{source} is not valid YAML: {' '.join(line.strip() for line in first[:3])}",
            hint="check the indentation and quoting near the line shown",
        ) from exc


def load(text: str, source: str = "input") -> Any:
    docs = load_all(text, source)
    return docs[0] if docs else None


def dump(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(_plain(data), stream)
    return stream.getvalue()


def dump_all(docs: Iterable[Any]) -> str:
    stream = io.StringIO()
    _yaml().dump_all([_plain(d) for d in docs], stream)
    return stream.getvalue()


def dump_json(data: Any, indent: int | None = 2) -> str:
    return json.dumps(data, indent=indent, default=str, ensure_ascii=False)


def _plain(data: Any) -> Any:
    """Plain dicts and lists, so any mapping type dumps the same way."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    return data
