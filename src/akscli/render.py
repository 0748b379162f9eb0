"""The one renderer: Jinja2 templates under ``templates/`` into validated Kubernetes objects.

Safety against YAML and template injection comes from two rules:

* the environment is a ``SandboxedEnvironment`` with ``StrictUndefined``;
* every ``{{ expression }}`` is *finalized* into a YAML-safe JSON scalar or flow collection, so a
  user value is always exactly one YAML value: it can never add keys, documents or comments.

A template may declare its values in ``<name>.values.yaml`` beside it (type, default, bounds);
``render`` then validates the values through ``akscli.validate`` before rendering.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from akscli import validate
from akscli.errors import UsageError

MANAGED_BY = "app.kubernetes.io/managed-by"
STACK_LABEL = "akscli.io/stack"
TEMPLATE_SUFFIX = ".yaml.j2"

# Characters that YAML treats as line breaks or forbids in a scalar: always escaped.
_YAML_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def templates_dir() -> Path:
    """``templates/`` inside an installed wheel, or at the root of a source checkout."""
    from importlib.resources import files

    packaged = Path(str(files("akscli"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def yaml_value(value: Any) -> str:
    """Emit ``value`` as exactly one YAML value (JSON is a subset of YAML 1.2 flow style)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise UsageError(f"cannot render the non-finite number {value!r}", hint="give a finite number")
        return json.dumps(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_quote(str(k))}: {yaml_value(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return _quote(str(value))


def _quote(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


@lru_cache(maxsize=4)
def _environment(root: str) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader(root),
        undefined=StrictUndefined,
        finalize=yaml_value,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def list_templates() -> list[str]:
    root = templates_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob(f"*{TEMPLATE_SUFFIX}"))


def resolve_template(template: str) -> str:
    """Accept ``model/vllm``, ``model/vllm.yaml.j2`` or a unique basename such as ``vllm``."""
    known = list_templates()
    candidates = [template, template + TEMPLATE_SUFFIX]
    for candidate in candidates:
        if candidate in known:
            return candidate
    by_base = [t for t in known if Path(t).name in (template, template + TEMPLATE_SUFFIX)]
    if len(by_base) == 1:
        return by_base[0]
    hint = "available: " + ", ".join(t.removesuffix(TEMPLATE_SUFFIX) for t in known)
    raise UsageError(f"unknown template {template!r}", hint=hint)


def values_spec(template: str) -> dict[str, dict[str, Any]]:
    """The value declarations beside a template, or an empty mapping."""
    from akscli import yamlio

    path = templates_dir() / (template.removesuffix(TEMPLATE_SUFFIX) + ".values.yaml")
    if not path.is_file():
        return {}
    spec = yamlio.load(path.read_text(encoding="utf-8"), str(path)) or {}
    return {str(k): dict(v) for k, v in spec.items()}


def check_values(template: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Apply defaults and validate values against the template's declarations."""
    spec = values_spec(template)
    result = dict(values)
    for key, decl in spec.items():
        if key not in result or result[key] is None:
            if "default" in decl:
                result[key] = decl["default"]
                continue
            if decl.get("required", False):
                form = decl.get("help", decl.get("type", "a value"))
                raise UsageError(f"template {template} needs the value {key!r} ({form})", hint=f"pass --set {key}=...")
            continue
        result[key] = _check_one(template, key, result[key], decl)
    return result


def _check_one(template: str, key: str, value: Any, decl: Mapping[str, Any]) -> Any:
    kind = decl.get("type", "text")
    what = f"value {key!r} of template {template}"
    lo, hi = decl.get("min"), decl.get("max")
    checks: dict[str, Any] = {
        "name": lambda v: validate.name(str(v), what),
        "subdomain": lambda v: validate.subdomain(str(v), what),
        "quantity": lambda v: validate.quantity(v, what),
        "image": lambda v: validate.image(str(v), what),
        "integer": lambda v: validate.integer(v, what, lo, hi),
        "number": lambda v: validate.number(v, what, lo, hi),
        "choice": lambda v: validate.choice(str(v), decl.get("choices", []), what),
        "bool": lambda v: _boolean(v, what),
        "text": lambda v: validate.text(str(v), what, int(decl.get("max_len", 1024))),
        "labels": lambda v: v if isinstance(v, Mapping) else validate.labels([str(v)], what),
        "any": lambda v: v,
    }
    if kind not in checks:
        raise UsageError(f"template {template} declares unknown type {kind!r} for {key!r}")
    return checks[kind](value)


def _boolean(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise UsageError(f"invalid {what} {value!r}: it is not true or false", hint="use true or false")


def render_text(template: str, values: Mapping[str, Any]) -> str:
    from jinja2 import TemplateNotFound, UndefinedError
    from jinja2.exceptions import SecurityError, TemplateSyntaxError

    name = resolve_template(template)
    checked = check_values(name, values)
    env = _environment(str(templates_dir()))
    try:
        return str(env.get_template(name).render(**checked))
    except UndefinedError as exc:
        missing = re.search(r"'([^']+)' is undefined", str(exc))
        what = missing.group(1) if missing else str(exc)
        raise UsageError(
            f"template {name} needs the value {what!r}", hint=f"pass it with --set {what}=VALUE or in a -f values file"
        ) from exc
    except (TemplateNotFound, TemplateSyntaxError, SecurityError) as exc:
        raise UsageError(f"template {name} cannot be rendered: {exc}") from exc


def render(template: str, values: Mapping[str, Any], *, stack: str | None = None) -> list[dict[str, Any]]:
    """Render a template into Kubernetes objects (dicts), checked for shape and labelled."""
    from akscli import yamlio

    name = resolve_template(template)
    text = render_text(name, values)
    docs = yamlio.load_all(text, f"template {name}")
    objects: list[dict[str, Any]] = []
    for index, doc in enumerate(docs):
        objects.append(_check_object(doc, name, index))
    if stack:
        with_stack_labels(objects, stack)
    return objects


def _check_object(doc: Any, template: str, index: int) -> dict[str, Any]:
    where = f"template {template} document {index + 1}"
    if not isinstance(doc, dict):
        raise UsageError(f"{where} is not a mapping")
    for key in ("apiVersion", "kind"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise UsageError(f"{where} has no {key}")
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise UsageError(f"{where} ({doc['kind']}) has no metadata.name")
    return doc


def with_stack_labels(objects: Sequence[dict[str, Any]], stack: str) -> Sequence[dict[str, Any]]:
    """Label objects as akscli's and as members of ``stack`` (used for prune and listing)."""
    validate.label_value(stack, "stack name")
    for obj in objects:
        labels = obj.setdefault("metadata", {}).setdefault("labels", {}) or {}
        obj["metadata"]["labels"] = labels
        labels[MANAGED_BY] = "akscli"
        labels[STACK_LABEL] = stack
    return objects
