"""YAML and JSON in and out, through ruamel.yaml (the project's one YAML library).

Every document a user gives (values, manifests, kubeconfig, price and policy files) is read
within bounds, so a hostile file fails in well under a second with one line instead of hanging:
at most ``MAX_INPUT_BYTES``, ``MAX_DEPTH`` levels of nesting, and ``MAX_ALIAS_NODES`` nodes
brought in by aliases (the "billion laughs" alias bomb expands exponentially only when walked).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from akscli.errors import UsageError

MAX_INPUT_BYTES = 8 * 1024 * 1024  # the API server itself takes at most 3 MiB per request body
MAX_DEPTH = 100
MAX_ALIAS_NODES = 100_000
LIMIT_HINT = "akscli reads YAML and JSON within fixed limits: split the input into smaller files"
ALIAS_HINT = "write the values out instead of repeating them through anchors and aliases"
DEPTH_HINT = "flatten the document; no Kubernetes object nests that deep"


def check_bounds(text: str | bytes, source: str) -> None:
    """Refuse an input over ``MAX_INPUT_BYTES``, or nested too deep, before parsing it.

    Flow nesting is counted here because ruamel's scanner is quadratic in it (every open
    ``[``/``{`` keeps a possible simple key that each token re-checks).
    """
    if len(text) > MAX_INPUT_BYTES:
        raise _too_large(source, len(text))
    if isinstance(text, str) and _flow_depth(text) > MAX_DEPTH:
        raise UsageError(f"{source} is nested more than {MAX_DEPTH} levels deep", hint=DEPTH_HINT)


def _too_large(source: str, size: int) -> UsageError:
    mib = 1024 * 1024
    return UsageError(
        f"{source} is too large ({size / mib:.0f} MiB; the limit is {MAX_INPUT_BYTES // mib} MiB)", LIMIT_HINT
    )


def _flow_depth(text: str) -> int:
    import re

    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]+", "", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def read_text(path: Any, source: str | None = None) -> str:
    """A user's text file, size-checked before it is read; one line for any read failure."""
    from pathlib import Path

    file = Path(path)
    name = source or str(file)
    try:
        if file.is_dir():
            raise UsageError(f"{name} is a directory, not a file", hint="give the path of a file")
        size = file.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise _too_large(name, size)
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not UTF-8 text (byte {exc.start})", hint="give a UTF-8 text file") from exc
    except OSError as exc:
        raise UsageError(
            f"cannot read {name}: {exc.strerror or exc}", hint="check the path and its permissions"
        ) from exc


def bounded(yaml: Any) -> Any:
    """Give a ruamel ``YAML`` instance the depth and alias-expansion limits."""
    from ruamel.yaml.composer import Composer

    class BoundedComposer(Composer):
        def compose_document(self) -> Any:
            self.akscli_alias_nodes = 0
            self.akscli_sizes: dict[int, int] = {}
            return super().compose_document()

        def return_alias(self, node: Any) -> Any:
            self.akscli_alias_nodes += _expanded_size(node, self.akscli_sizes)
            if self.akscli_alias_nodes > MAX_ALIAS_NODES:
                raise UsageError(
                    f"input expands its aliases to over {MAX_ALIAS_NODES} nodes (an alias bomb?)", hint=ALIAS_HINT
                )
            return super().return_alias(node)

    yaml.Composer = BoundedComposer
    yaml.max_depth = MAX_DEPTH
    return yaml


def _expanded_size(node: Any, sizes: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once its aliases are expanded (memoised: linear)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    value = node.value
    total = 1
    if isinstance(value, list):
        for item in value:
            if isinstance(item, tuple):
                total += _expanded_size(item[0], sizes) + _expanded_size(item[1], sizes)
            else:
                total += _expanded_size(item, sizes)
    sizes[id(node)] = total
    return total


def _yaml(pure: bool = True) -> Any:
    from ruamel.yaml import YAML

    yaml = bounded(YAML(typ="safe", pure=pure))
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep apiVersion, kind, metadata first
    yaml.width = 4096
    return yaml


def load_all(text: str, source: str = "input") -> list[Any]:
    from ruamel.yaml.error import YAMLError

    check_bounds(text, source)
    try:
        return [doc for doc in _yaml().load_all(text) if doc is not None]
    except UsageError as exc:
        exc.message = exc.message.replace("input ", f"{source} ", 1)
        raise
    except YAMLError as exc:
        if "maximum depth" in str(exc):
            raise UsageError(f"{source} is nested more than {MAX_DEPTH} levels deep", hint=DEPTH_HINT) from exc
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
