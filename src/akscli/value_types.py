"""The structured types a template's ``.values.yaml`` may declare: ``list``, ``map``, ``object``.

A value comes from a ``--values`` file (already YAML) or from ``--set`` (text); the declared
type says how text is read, so ``--set vllm_args={--model,ID}`` is a list and never the string
``"{--model,ID}"``. The text forms follow helm's ``--set`` (helm/helm pkg/strvals/parser.go):

* a list is ``{a,b,c}``; a backslash escapes the next character (``\\,`` is a comma inside an
  item); ``[a, b]`` (YAML flow, what akscli documented before) is read too;
* a map is ``key=value[,key=value]`` (akscli's label form), ``{key: value}`` (YAML flow), or
  one key at a time with ``--set name.key=value`` (``\\.`` is a dot inside the key);
* an object or a list of objects is YAML flow text: ``{key: value}``, ``[{key: value}]``.

Whatever the source, a value of the wrong shape is one usage error naming the value, the
expected type and an example. Items of a list of strings or a map are strings (a number or a
boolean from a values file is written as its text: ``[--port, 8000]`` renders ``"8000"``, which is
what the API's ``[]string`` needs); a declared ``items``/``schema`` names a Kubernetes type from
``akscli.shapes`` the value is checked against, and ``render`` then checks every rendered object
with ``akscli.shapes`` as a whole, so no value can give an object a field of the wrong type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from akscli import shapes, validate
from akscli.errors import UsageError

STRUCTURED = ("list", "map", "object")


def describe(decl: Mapping[str, Any]) -> str:
    """The declared type in words: ``a list of strings``, ``a map of string to string``."""
    kind = str(decl.get("type"))
    schema = _schema(decl)
    if kind == "list":
        return "a list of " + (shapes.describe(schema, plural=True) if schema else "strings")
    if kind == "map":
        return "a map of string to string"
    return shapes.describe(schema) if schema else "an object (a map)"


def example(key: str, decl: Mapping[str, Any]) -> str:
    """An example that fits the declaration: the declaration's own, or one by type."""
    if decl.get("example"):
        return f"--set '{key}={decl['example']}'"
    kind = str(decl.get("type"))
    if kind == "list" and not _schema(decl):
        return f"--set '{key}={{a,b}}'"
    if kind == "map":
        return f"--set {key}=key=value,key2=value2"
    return f"--set '{key}={{key: value}}'" if kind == "object" else f"--set '{key}=[{{key: value}}]'"


def check(key: str, value: Any, decl: Mapping[str, Any], what: str) -> Any:
    """``value`` read as the declared structured type and checked, or a UsageError."""
    kind = str(decl.get("type"))
    if isinstance(value, str):
        value = _from_text(value, kind, decl)
    if kind == "list":
        return _list(key, value, decl, what)
    if kind == "map":
        return _map(key, value, decl, what)
    return _object(key, value, decl, what)


def _fail(key: str, value: Any, decl: Mapping[str, Any], what: str, problem: str) -> UsageError:
    shown = ""
    if isinstance(value, str):
        shown = " " + repr(value if len(value) <= 60 else value[:57] + "...")
    return UsageError(
        f"invalid {what}{shown}: {problem}; expected {describe(decl)}, e.g. {example(key, decl)}",
        hint=f"see the value's type with --help-values; a --values file takes YAML ({key}: ...)",
    )


def _from_text(text: str, kind: str, decl: Mapping[str, Any]) -> Any:
    stripped = text.strip()
    if kind == "list" and not _schema(decl) and stripped.startswith("{") and stripped.endswith("}"):
        return _helm_list(stripped[1:-1])
    if kind == "map" and stripped and not stripped.startswith("{"):
        return _pairs(stripped)
    if stripped[:1] in ("{", "["):
        from akscli import yamlio

        try:
            return yamlio.load(stripped, "--set value")
        except UsageError:
            return text
    return text


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at each ``sep`` not escaped with a backslash; a backslash keeps the next
    character as it is (helm/helm pkg/strvals/parser.go, runesUntil)."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _helm_list(body: str) -> list[str]:
    # helm reads "{}" as [""]; an empty list is what anyone writing it means.
    return [] if body == "" else _split(body, ",")


def _pairs(text: str) -> dict[str, str] | str:
    result: dict[str, str] = {}
    for item in (p for p in _split(text, ",") if p):
        key, eq, val = item.partition("=")
        if not eq:
            return text  # not pairs: reported as the wrong type below
        result[key.strip()] = val.strip()
    return result


def _schema(decl: Mapping[str, Any]) -> shapes.Shape | None:
    name = decl.get("items") if decl.get("type") == "list" else decl.get("schema")
    if name in (None, "string"):
        return None
    if name == "object":
        return shapes.OBJECT
    if name not in shapes.NAMED:
        raise UsageError(f"a template declares the unknown type {name!r}", hint="known: " + ", ".join(shapes.NAMED))
    return shapes.NAMED[str(name)]


def _text(item: Any) -> str | None:
    """A scalar as the string Kubernetes stores; None for a list, a map or null."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (str, int, float)):
        return str(item)
    return None


def _list(key: str, value: Any, decl: Mapping[str, Any], what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(key, value, decl, what, f"it is {shapes.json_kind(value)}")
    schema = _schema(decl)
    if schema is None:
        items = [_text(item) for item in value]
        bad = next((i for i, item in enumerate(items) if item is None), None)
        if bad is not None:
            raise _fail(key, value, decl, what, f"item {bad} is {shapes.json_kind(value[bad])}")
        _unmatched(key, {f"item {i}": item for i, item in enumerate(items)}, decl, what)
        return items
    found = shapes.check(value, shapes.ListOf(schema), key)
    if found:
        raise _fail(key, value, decl, what, found)
    limit = decl.get("max_items")
    if limit is not None and len(value) > int(limit):
        raise UsageError(f"invalid {what}: it has {len(value)} items, at most {limit} are taken", hint="drop some")
    for index, item in enumerate(value):
        _field_rules(f"{key}[{index}]", item, decl, what)
    return value


def matches_pattern(decl: Mapping[str, Any], value: Any) -> bool:
    """Whether ``value`` matches ``decl``'s ``pattern`` (True where it declares none): the regex
    the target field's CRD gives it, anchored with ^...$ as OpenAPI writes it (re caches it)."""
    pattern = decl.get("pattern")
    return pattern is None or re.fullmatch(str(pattern), str(value)) is not None


def _unmatched(key: str, items: Mapping[str, str | None], decl: Mapping[str, Any], what: str) -> None:
    """A list's item or a map's value (by where it is: ``item 0``, ``labels.team``) longer than the
    declared ``max_len`` or missing the declared ``pattern`` (the CRD's on each item or value)."""
    limit = int(decl.get("max_len") or 0)
    for where, item in items.items():
        unusable = _unusable(str(item), nul=decl.get("keys") != "configmap")
        if unusable:
            raise UsageError(f"invalid {what}: {where} holds {unusable}", hint="remove it from the value")
        if limit and len(str(item)) > limit:
            raise UsageError(
                f"invalid {what}: {where} {item!r} is longer than {limit} characters", hint=f"e.g. {example(key, decl)}"
            )
        if not matches_pattern(decl, item):
            words = f" (expected {decl['pattern_words']})" if decl.get("pattern_words") else ""
            raise UsageError(
                f"invalid {what}: {where} {item!r} does not match its field's pattern {decl['pattern']}{words}",
                hint=f"e.g. {example(key, decl)}",
            )


def _unusable(text: str, nul: bool = True) -> str | None:
    """A character no list item or map value may hold, in words, or None. A NUL (but in a
    ConfigMap's file, ``nul`` False, where the kubelet writes it as it is): a container's
    args and env go to execve, which cannot carry one (upstream: golang/go src/syscall/syscall.go
    ByteSliceFromString returns EINVAL for a string with a NUL, which runc's exec meets), so the
    object would be stored and its pods never start. A lone surrogate is no Unicode text: the API
    server's JSON decoder stores U+FFFD in its place (upstream: golang/go src/encoding/json/decode.go
    unquoteBytes), not the value rendered."""
    if nul and "\x00" in text:
        return "the NUL character U+0000"
    if not text.isascii():
        found = next((c for c in text if 0xD800 <= ord(c) <= 0xDFFF), None)
        if found is not None:
            return f"the lone surrogate U+{ord(found):04X} (it is not Unicode text)"
    return None


def _map(key: str, value: Any, decl: Mapping[str, Any], what: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _fail(key, value, decl, what, f"it is {shapes.json_kind(value)}")
    keys = str(decl.get("keys", "text"))
    result: dict[str, str] = {}
    for name, item in value.items():
        text = _text(item)
        if text is None:
            raise _fail(key, value, decl, what, f"{key}.{name} is {shapes.json_kind(item)}, not a string")
        result[_key(str(name), keys, f"{what} key")] = text
    for name in result:
        _reserved(name, decl, what)
    _unmatched(key, {f"{key}.{name}": text for name, text in result.items()}, decl, what)
    return result


def _reserved(name: str, decl: Mapping[str, Any], what: str) -> None:
    """A map key the target field refuses or its owner keeps for itself: ``reserved_keys`` (whole
    keys), ``reserved_prefixes`` (``kubernetes.io/``) and ``reserved_domains``, matched as the
    NodePool CRD's CEL rules match a label's domain (upstream: Azure/karpenter-provider-azure
    pkg/apis/crds/karpenter.sh_nodepools.yaml, spec.template.metadata.labels): the text before
    the first ``/`` (the whole key without one) ends with the domain
    (``x.find("^([^/]+)").endsWith("karpenter.sh")``), so ``team.karpenter.sh/x`` is refused too.
    ``reserved_by`` names who keeps them."""
    domain = name.split("/", 1)[0]
    # The rule in the CRD's own words ('label "agentpool" is restricted', 'label domain "karpenter.sh" is
    # restricted': Azure/karpenter-provider-azure pkg/apis/crds/karpenter.sh_nodepools.yaml x-kubernetes-validations).
    found = next((f'label "{k}" is restricted' for k in decl.get("reserved_keys", ()) if name == k), None)
    found = found or next(
        (f"the prefix {p} is restricted" for p in decl.get("reserved_prefixes", ()) if name.startswith(p)), None
    )
    found = found or next(
        (f'label domain "{d}" is restricted' for d in decl.get("reserved_domains", ()) if domain.endswith(d)), None
    )
    if found:
        owner = decl.get("reserved_by", "its owner")
        raise UsageError(
            f"invalid {what} key {name}: {found}, kept for labels set by {owner}",
            hint="use a prefix of your own, e.g. example.com/team=ml",
        )


def reserved(name: str, decl: Mapping[str, Any], what: str) -> None:
    """_reserved for a caller outside render: a flag's map key checked against a template value's declared
    rules (``what``: the flag, e.g. ``--labels``), before anything is rendered or printed."""
    _reserved(name, decl, what)


# Key rules by declared ``keys``: annotations take qualified names (k8s.io/apimachinery
# pkg/api/validation/objectmeta.go ValidateAnnotations -> IsQualifiedName), ConfigMap keys
# [-._a-zA-Z0-9]+ (k8s.io/apimachinery pkg/util/validation/validation.go IsConfigMapKey),
# environment variable names [-._a-zA-Z][-._a-zA-Z0-9]* (IsEnvVarName there: the rule every
# Kubernetes version accepts, before the relaxed one behind RelaxedEnvironmentVariableValidation).
# Compiled on first use by re's own cache (as akscli.validate's): a render whose values have no
# such keys does not compile them.
_CONFIGMAP_KEY = r"[-._a-zA-Z0-9]{1,253}"
_ENV_NAME = r"[-._a-zA-Z][-._a-zA-Z0-9]{0,4095}"


def _key(name: str, rule: str, what: str) -> str:
    if rule == "qualified":
        return validate.label_key(name, what)
    if rule == "configmap" and (not re.fullmatch(_CONFIGMAP_KEY, name) or name in (".", "..")):
        raise UsageError(f"invalid {what} {name!r}: use letters, digits, '-', '_' or '.'", hint="for example: main.py")
    if rule == "env" and not re.fullmatch(_ENV_NAME, name):
        raise UsageError(f"invalid {what} {name!r}: use letters, digits, '-', '_' or '.'", hint="e.g. NCCL_DEBUG")
    if not name.strip():
        raise UsageError(f"invalid {what}: it is empty", hint="give each key a name")
    return name


def _object(key: str, value: Any, decl: Mapping[str, Any], what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(key, value, decl, what, f"it is {shapes.json_kind(value)}")
    schema = _schema(decl)
    found = shapes.check(value, schema, key) if schema else None
    if found:
        raise _fail(key, value, decl, what, found)
    _field_rules(key, value, decl, what)
    return dict(value)


def _field_rules(where: str, value: Any, decl: Mapping[str, Any], what: str) -> None:
    """The declared ``fields`` of an object (or of each object of a list): a path inside it
    (``name``, ``rollingUpdate.maxSurge``, ``afterStageTasks[].type``) to the CRD's ``enum``
    (``choices``), ``pattern`` and ``maxLength`` (``max_len``) on that field. A pattern holds for a
    string only, as OpenAPI's does (an int-or-string's number is not matched)."""
    for path, rule in (decl.get("fields") or {}).items():
        for at, found in _at(where, value, str(path).split(".")):
            if "choices" in rule and found not in rule["choices"]:
                choices = ", ".join(str(c) for c in rule["choices"])
                raise UsageError(
                    f"invalid {what}: {at} {found!r} is not one of {choices}", hint=f"e.g. {at}: {rule['choices'][0]}"
                )
            if not isinstance(found, str):
                continue
            if "max_len" in rule and len(found) > int(rule["max_len"]):
                raise UsageError(
                    f"invalid {what}: {at} is longer than {rule['max_len']} characters", hint=_field_hint(at, rule)
                )
            if not matches_pattern(rule, found):
                words = f" (expected {rule['pattern_words']})" if rule.get("pattern_words") else ""
                raise UsageError(
                    f"invalid {what}: {at} {found!r} does not match its field's pattern {rule['pattern']}{words}",
                    hint=_field_hint(at, rule),
                )


def _field_hint(at: str, rule: Mapping[str, Any]) -> str:
    return f"e.g. {at}: {rule['example']}" if "example" in rule else "see the field with --help-values"


def _at(where: str, value: Any, steps: list[str]) -> list[tuple[str, Any]]:
    """The values at ``steps`` under ``value`` (``x[]``: each item of the list ``x``), with where
    each is; a missing field or one of another type (the shape check's business) gives none."""
    if not steps:
        return [] if value is None else [(where, value)]
    if not isinstance(value, Mapping):
        return []
    step, each = steps[0].removesuffix("[]"), steps[0].endswith("[]")
    child = value.get(step)
    if not each:
        return _at(f"{where}.{step}", child, steps[1:])
    items = child if isinstance(child, list) else []
    return [hit for i, item in enumerate(items) for hit in _at(f"{where}.{step}[{i}]", item, steps[1:])]
