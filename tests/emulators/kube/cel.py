"""CEL validation rules of custom resources (``x-kubernetes-validations``), evaluated with
cel-python (PyPI ``cel-python``, import ``celpy``) the way the API server does
(kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/
validation.go):

- a rule runs with ``self`` bound to the value at its schema node; null values are skipped;
- a transition rule (one that mentions ``oldSelf``) runs only on an update where the old value
  can be correlated: object properties and map values by key, items of
  ``x-kubernetes-list-type: map`` lists by their keys; never on create;
- validation ratcheting (CRDValidationRatcheting, on by default since 1.30): a rule without
  ``oldSelf`` does not fail a value that did not change;
- a failed rule is a field error at the node's path (``<nil>`` at the root) plus the rule's
  ``fieldPath``: ``Invalid value: "<schema type>": <message>``, where the message is the rule's
  ``messageExpression`` result, its ``message``, or ``failed rule: <rule>``; ``reason``
  Forbidden/Required/Duplicate gives those error types; an evaluation error reads
  ``<error> evaluating rule: <rule>``;
- at the root, ``self.metadata`` holds only ``name`` and ``generateName``.

The Kubernetes CEL libraries (staging/src/k8s.io/apiserver/pkg/cel/library: regex ``find``/
``findAll``, the strings extension, lists ``isSorted``/``sum``/``min``/``max``/``indexOf``) are
provided as functions. A rule that cel-python cannot parse, or that calls a function neither it
nor this module provides, is skipped (not enforced) and recorded in ``UNSUPPORTED``.

Compiled programs are cached per rule text for the whole process."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import celpy
from celpy import celtypes

Cause = tuple[str, str, str]
UNSUPPORTED: dict[str, str] = {}
_lock = threading.Lock()
_env = celpy.Environment()


def _s(v: Any) -> str:
    return str(v)


def _find(s: Any, pattern: Any) -> celtypes.StringType:
    m = re.search(_s(pattern), _s(s))
    return celtypes.StringType(m.group(0) if m else "")


def _find_all(s: Any, pattern: Any, limit: Any = -1) -> celtypes.ListType:
    found = [m.group(0) for m in re.finditer(_s(pattern), _s(s))]
    if int(limit) >= 0:
        found = found[: int(limit)]
    return celtypes.ListType([celtypes.StringType(x) for x in found])


def _split(s: Any, sep: Any, limit: Any = -1) -> celtypes.ListType:
    n = int(limit)
    if n == 0:
        return celtypes.ListType([])
    parts = _s(s).split(_s(sep), n - 1) if n > 0 else _s(s).split(_s(sep))
    return celtypes.ListType([celtypes.StringType(x) for x in parts])


def _join(items: Any, sep: Any = "") -> celtypes.StringType:
    return celtypes.StringType(_s(sep).join(_s(x) for x in items))


def _index_of(target: Any, x: Any, start: Any = 0) -> celtypes.IntType:
    if isinstance(target, (list, celtypes.ListType)):
        return celtypes.IntType(list(target).index(x) if x in target else -1)
    return celtypes.IntType(_s(target).find(_s(x), int(start)))


def _last_index_of(target: Any, x: Any) -> celtypes.IntType:
    if isinstance(target, (list, celtypes.ListType)):
        items = list(target)
        return celtypes.IntType(len(items) - 1 - items[::-1].index(x) if x in items else -1)
    return celtypes.IntType(_s(target).rfind(_s(x)))


def _substring(s: Any, start: Any, end: Any = None) -> celtypes.StringType:
    text = _s(s)
    return celtypes.StringType(text[int(start) : int(end) if end is not None else len(text)])


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "find": _find,
    "findAll": _find_all,
    "split": _split,
    "join": _join,
    "lowerAscii": lambda s: celtypes.StringType(_s(s).lower()),
    "upperAscii": lambda s: celtypes.StringType(_s(s).upper()),
    "trim": lambda s: celtypes.StringType(_s(s).strip()),
    "replace": lambda s, a, b, n=-1: celtypes.StringType(_s(s).replace(_s(a), _s(b), int(n))),
    "charAt": lambda s, i: celtypes.StringType(_s(s)[int(i) : int(i) + 1]),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "substring": _substring,
    "isSorted": lambda items: celtypes.BoolType(list(items) == sorted(items)),
    "sum": lambda items: sum(items, celtypes.IntType(0)),
    "min": lambda items: min(items),
    "max": lambda items: max(items),
}

_UNSUPPORTED_MARKERS = ("undeclared reference", "no matching overload", "unbound function")


class Rule:
    __slots__ = ("field_path", "message", "message_expression", "program", "reason", "text", "uses_old_self")

    def __init__(self, spec: dict[str, Any]) -> None:
        self.text = str(spec.get("rule", ""))
        self.message = str(spec.get("message") or "").strip()
        self.reason = spec.get("reason")
        self.field_path = str(spec.get("fieldPath") or "")
        self.uses_old_self = "oldSelf" in self.text
        self.program = _program(self.text)
        mexpr = spec.get("messageExpression")
        self.message_expression = _program(str(mexpr)) if mexpr else None


@lru_cache(maxsize=4096)
def _program(text: str) -> Any:
    """The compiled program, or None when cel-python cannot parse the rule (recorded)."""
    try:
        ast = _env.compile(text)
    except celpy.CELParseError as exc:
        # CEL's grammar allows a trailing comma in list literals; cel-python's does not
        fixed = re.sub(r",(\s*)\]", r"\1]", text)
        try:
            ast = _env.compile(fixed)
        except celpy.CELParseError:
            with _lock:
                UNSUPPORTED[text] = f"parse error: {str(exc).splitlines()[0]}"
            return None
    return _env.program(ast, functions=FUNCTIONS)


@lru_cache(maxsize=2048)
def _rules_of(key: str) -> tuple[Rule, ...]:
    return tuple(Rule(r) for r in json.loads(key))


def _rules(schema: dict[str, Any]) -> tuple[Rule, ...]:
    specs = schema.get("x-kubernetes-validations")
    if not specs:
        return ()
    return _rules_of(json.dumps(specs, sort_keys=True))


def _is_error(v: Any) -> bool:
    return isinstance(v, Exception)


def _error_text(v: Any) -> str:
    args = getattr(v, "args", ())
    return str(args[0]) if args else str(v)


def _field_error(path: str, typ: str, detail: str, reason: Any) -> Cause:
    if reason == "FieldValueForbidden":
        return ("FieldValueForbidden", path, f"Forbidden: {detail}")
    if reason == "FieldValueRequired":
        return ("FieldValueRequired", path, f"Required value: {detail}")
    if reason == "FieldValueDuplicate":
        return ("FieldValueDuplicate", path, f'Duplicate value: "{typ}"')
    return ("FieldValueInvalid", path, f'Invalid value: "{typ}": {detail}')


def _child_path(path: str, field_path: str) -> str:
    if not field_path:
        return path
    fp = field_path.lstrip(".")
    return f"{path}.{fp}" if path != "<nil>" else fp


def _evaluate(rule: Rule, activation: dict[str, Any], path: str, typ: str, errors: list[Cause]) -> None:
    if rule.program is None:
        return
    try:
        result = rule.program.evaluate(activation)
    except Exception as exc:  # cel-python raises for some runtime failures
        result = exc
    if _is_error(result):
        text = _error_text(result)
        if any(m in text for m in _UNSUPPORTED_MARKERS):
            with _lock:
                UNSUPPORTED.setdefault(rule.text, text[:200])
            return
        errors.append(("FieldValueInvalid", path, f'Invalid value: "{typ}": {text} evaluating rule: {rule.text}'))
        return
    if bool(result):
        return
    detail = ""
    if rule.message_expression is not None:
        try:
            msg = rule.message_expression.evaluate(activation)
            if not _is_error(msg):
                detail = str(msg).strip()
        except Exception:
            detail = ""
    if not detail:
        detail = rule.message or f"failed rule: {rule.text.strip()}"
    errors.append(_field_error(_child_path(path, rule.field_path), typ, detail, rule.reason))


def _node_type(schema: dict[str, Any]) -> str:
    if schema.get("x-kubernetes-int-or-string"):
        return "integer"
    return str(schema.get("type") or "object")


class _Validator:
    def __init__(self) -> None:
        self.errors: list[Cause] = []

    def walk(self, value: Any, old: Any, schema: dict[str, Any], path: str, root: bool) -> None:
        if value is None or not isinstance(schema, dict):
            return
        rules = _rules(schema)
        if rules:
            self_value = value
            if root and isinstance(value, dict):
                md = value.get("metadata") or {}
                self_value = {
                    **value,
                    "metadata": {k: md[k] for k in ("name", "generateName") if k in md},
                }
            activation = {"self": celpy.json_to_cel(self_value)}
            if old is not None:
                activation["oldSelf"] = celpy.json_to_cel(old)
            typ = _node_type(schema)
            for rule in rules:
                if rule.uses_old_self and old is None:
                    continue
                if not rule.uses_old_self and old is not None and old == value:
                    continue
                _evaluate(rule, activation, path, typ, self.errors)
        for sub in schema.get("allOf") or ():
            self.walk(value, old, sub, path, root)
        if isinstance(value, dict):
            props = schema.get("properties") or {}
            addl = schema.get("additionalProperties")
            old_map = old if isinstance(old, dict) else {}
            for k, v in value.items():
                if root and k in ("apiVersion", "kind", "metadata"):
                    continue
                child = k if path == "<nil>" else f"{path}.{k}"
                if k in props:
                    self.walk(v, old_map.get(k), props[k], child, False)
                elif isinstance(addl, dict):
                    self.walk(v, old_map.get(k), addl, f"{path}[{k}]", False)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            items = schema["items"]
            keys = schema.get("x-kubernetes-list-map-keys") or []
            old_items: dict[str, Any] = {}
            if schema.get("x-kubernetes-list-type") == "map" and keys and isinstance(old, list):
                for o in old:
                    if isinstance(o, dict):
                        old_items[json.dumps([o.get(k) for k in keys])] = o
            for i, v in enumerate(value):
                prev = (
                    old_items.get(json.dumps([v.get(k) for k in keys])) if old_items and isinstance(v, dict) else None
                )
                self.walk(v, prev, items, f"{path}[{i}]", False)


def validate(obj: dict[str, Any], old: dict[str, Any] | None, schema: dict[str, Any]) -> list[Cause]:
    """Field errors of every failed rule in ``schema`` for ``obj`` (``old`` on updates)."""
    v = _Validator()
    v.walk(obj, old, schema, "<nil>", True)
    return v.errors


_has_rules: dict[int, tuple[dict[str, Any], bool]] = {}


def has_rules(schema: dict[str, Any]) -> bool:
    """Whether any node of ``schema`` has rules (remembered per schema object)."""
    got = _has_rules.get(id(schema))
    if got is None or got[0] is not schema:
        got = (schema, "x-kubernetes-validations" in json.dumps(schema))
        with _lock:
            _has_rules[id(schema)] = got
    return got[1]


_MACROS = {"has", "all", "exists", "exists_one", "filter", "map"}
_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def _rule_specs(schema: Any, out: list[str]) -> None:
    if isinstance(schema, dict):
        for r in schema.get("x-kubernetes-validations") or ():
            out.append(str(r.get("rule", "")))
        for k, v in schema.items():
            if k == "properties" and isinstance(v, dict):
                for sub in v.values():
                    _rule_specs(sub, out)
            elif k in ("items", "additionalProperties", "not"):
                _rule_specs(v, out)
            elif k in ("allOf", "anyOf", "oneOf") and isinstance(v, list):
                for sub in v:
                    _rule_specs(sub, out)


def survey(crds: list[dict[str, Any]]) -> dict[str, Any]:
    """Every rule of ``crds``: how many there are, and which cel-python cannot parse or which
    call a function that neither it nor this module provides (those are not enforced)."""
    from celpy.evaluation import base_functions

    known = set(base_functions) | _MACROS | set(FUNCTIONS)
    rules: list[str] = []
    for crd in crds:
        for v in (crd.get("spec") or {}).get("versions") or ():
            _rule_specs(((v.get("schema") or {}).get("openAPIV3Schema")) or {}, rules)
    unparsed = sorted({r for r in rules if _program(r) is None})
    unknown_calls = sorted(
        {r for r in rules if r not in unparsed and any(f not in known for f in _CALL.findall(_strip_strings(r)))}
    )
    return {"rules": len(rules), "distinct": len(set(rules)), "unparsed": unparsed, "unknown_functions": unknown_calls}


def _strip_strings(rule: str) -> str:
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", rule)


if __name__ == "__main__":  # python -m tests.emulators.kube.cel
    from tests.emulators.kube.crds import default_crd_dir, load_crd_dir

    print(json.dumps(survey(load_crd_dir(default_crd_dir())), indent=2))
