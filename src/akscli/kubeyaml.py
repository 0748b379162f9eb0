"""Plain scalars as kubectl reads them: YAML 1.1 the way go-yaml v2 resolves it.

kubectl turns a manifest into JSON with sigs.k8s.io/yaml ``YAMLToJSON`` (kubernetes/kubernetes
``vendor/sigs.k8s.io/yaml/yaml.go``), which unmarshals with go-yaml v2 (kubernetes-sigs/yaml
``goyaml.v2/resolve.go``, ``resolve``) and marshals the result with encoding/json. So a plain
``0644`` is 420, ``yes``/``on``/``y`` are true, ``1e3`` is 1000 and ``.inf`` is refused; akscli
reads a manifest the same way, so that it means the same to ``akscli apply -f`` as to
``kubectl apply -f``. Quoted scalars and explicit tags are not resolved.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from akscli.errors import UsageError

# A private tag for every plain scalar: the constructor resolves it with ``resolve`` below.
PLAIN_TAG = "tag:akscli,2026:kubectl-plain-scalar"
MERGE_TAG = "tag:yaml.org,2002:merge"

# resolve.go resolveMapList: the spellings looked up whole.
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_INT64 = 1 << 63
_UINT64 = 1 << 64


# Compiled on first use (``_syntax``): about 0.6 ms together, which a command whose plain scalars
# are words and names (`akscli render core/namespace`) does not need.
# resolve.go yamlStyleFloat, and strconv.ParseFloat's decimal syntax for a scalar starting with ".".
_YAML_STYLE_FLOAT = r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
_DOT_FLOAT = r"\.[0-9]+([eE][-+]?[0-9]+)?"
# strconv.ParseInt(s, 0, 64) / ParseUint: Go's integer literal syntax with a base prefix.
_GO_INT = r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))"


@functools.cache
def _syntax(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def resolve(text: str) -> Any:
    """The JSON value kubectl sends for the plain scalar ``text``: go-yaml v2 ``resolve`` with no
    tag, through encoding/json and kubectl's unstructured objects (int64, else float64).

    A timestamp stays its text: go-yaml v2 decode.go gives a string for one decoded into an
    interface{} (and none reads as a number: four digits and a dash)."""
    if text in _WORDS:
        return _WORDS[text]
    first = text[0]
    if first == ".":
        return _float(text) if _syntax(_DOT_FLOAT).fullmatch(text) else text
    if not (first.isdigit() and first.isascii()) and first not in "+-":
        return text
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None and -_INT64 <= number < _INT64:
        return number
    if number is not None and plain[0] not in "+-" and number < _UINT64:  # a uint64: a float64 to kubectl
        return json_number(float(number))
    if _syntax(_YAML_STYLE_FLOAT).fullmatch(plain):
        return _float(plain)
    return text  # kubectl v1.32 checked: a hexadecimal beyond 64 bits stays text


def _float(text: str) -> Any:
    value = float(text)
    # strconv.ParseFloat's range error (1e400): no float, so the text stays a string.
    return text if math.isinf(value) else json_number(value)


def json_number(value: float) -> Any:
    """A float64 as JSON text reads: encoding/json writes one that is whole and below 1e21 without a
    fraction, in its shortest digits (1.8446744073709552e19 is 18446744073709552000)."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
        from decimal import Decimal

        return int(Decimal(repr(value)))
    return value


def _go_int(plain: str) -> int | None:
    match = _syntax(_GO_INT).fullmatch(plain)
    if match is None:
        return None
    sign, hexa, octal, binary, old_octal, decimal = match.groups()
    digits, base = next((d, b) for d, b in ((hexa, 16), (octal, 8), (binary, 2), (old_octal, 8), (decimal, 10)) if d)
    number = int(digits, base)
    return -number if sign == "-" else number


def key(value: Any) -> Any:
    """A mapping key as YAMLToJSON writes it (convertToJSONableObject): ints and bools as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        raise UsageError("input has a null mapping key, which kubectl refuses too", hint="quote the key")
    return value


def json_value(value: Any) -> Any:
    """``value`` unless encoding/json cannot write it (NaN and infinities): kubectl refuses those."""
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(
            f"input holds {value}, which is no JSON number: kubectl refuses it too", hint="quote it to send the text"
        )
    return value


@functools.cache
def _tags() -> tuple[Any, Any]:
    """The plain-scalar and merge tags, one object each: a resolver made here and a constructor
    made here (the pure parser's, separate classes) know a plain scalar by identity."""
    from ruamel.yaml.tag import Tag

    return Tag(suffix=PLAIN_TAG), Tag(suffix=MERGE_TAG)


def _plain_keys(pairs: Any, plain_tag: Any) -> bool:
    from ruamel.yaml.nodes import ScalarNode

    return all(key.ctag is plain_tag and type(key) is ScalarNode for key, _ in pairs)


@functools.cache
def loader_class(base: type) -> type:
    """``base`` (a ruamel resolver, constructor, or a loader that is both) reading plain scalars and
    mapping keys as kubectl does; cached, so each class is made once."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    plain_tag, merge_tag = _tags()
    namespace: dict[str, Any] = {}
    if hasattr(base, "resolve"):

        def resolve_tag(self: Any, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode and implicit[0]:
                # go-yaml v2 resolves every plain scalar (the directive's version does not matter).
                return merge_tag if value == "<<" else plain_tag
            return base.resolve(self, kind, value, implicit)

        namespace["resolve"] = resolve_tag
    if hasattr(base, "construct_mapping"):

        def construct_mapping(self: Any, node: Any, deep: bool = False) -> Any:
            if type(node) is MappingNode and node.merge is None and _plain_keys(node.value, plain_tag):
                # Every key a plain scalar (#16): no merge key for SafeConstructor.flatten_mapping
                # to find and no unhashable key for BaseConstructor.construct_mapping to refuse;
                # each key is checked for a duplicate as there (ruamel.yaml constructor.py).
                mapping: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    name = json_value(resolve(key_node.value))
                    value = self.construct_object(value_node, deep=deep)
                    if self.check_mapping_key(node, key_node, mapping, name, value):
                        mapping[name] = value
            else:
                mapping = base.construct_mapping(self, node, deep)
            if all(type(k) is str for k in mapping):
                return mapping
            return {key(k): v for k, v in mapping.items()}

        namespace["construct_mapping"] = construct_mapping
    if hasattr(base, "construct_object"):

        def construct_object(self: Any, node: Any, deep: bool = False) -> Any:
            # A plain scalar, most of a manifest's nodes (#16): what its constructor below gives,
            # without ruamel's memo of constructed nodes (a scalar's value is the same each time)
            # and its look-up of the constructor by the tag's text (ruamel.yaml constructor.py
            # BaseConstructor.construct_object, construct_non_recursive_object).
            if node.ctag is plain_tag and type(node) is ScalarNode:
                return json_value(resolve(node.value))
            return base.construct_object(self, node, deep)

        namespace["construct_object"] = construct_object
    cls = type(f"Kubectl{base.__name__}", (base,), namespace)
    if hasattr(base, "add_constructor"):
        cls.add_constructor(PLAIN_TAG, lambda _loader, node: json_value(resolve(node.value)))  # type: ignore[attr-defined]
    return cls


@functools.cache
def quoting_resolver(base: Any) -> Any:
    """``base`` (ruamel's YAML 1.2 resolver) for writing YAML: a string kubectl would read as
    something else (``yes``, ``on``, ``y``) resolves to bool here, so the emitter quotes it and
    ``akscli ... -o yaml | kubectl apply -f -`` keeps it a string (YAML 1.2 readers agree)."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.tag import Tag

    str_tag, bool_tag = "tag:yaml.org,2002:str", Tag(suffix="tag:yaml.org,2002:bool")

    def resolve_tag(self: Any, kind: Any, value: Any, implicit: Any) -> Any:
        tag = base.resolve(self, kind, value, implicit)
        if kind is ScalarNode and implicit[0] and tag == str_tag:
            read = resolve(value)
            if not isinstance(read, str) or read != value:
                return bool_tag
        return tag

    return type(f"Quoting{base.__name__}", (base,), {"resolve": resolve_tag})
