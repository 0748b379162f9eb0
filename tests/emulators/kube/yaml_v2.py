"""What KAITO's webhook gets from gopkg.in/yaml.v2 v2.4.0 (KAITO v0.12.0's go.mod) for
``yaml.Unmarshal(text, &InferenceConfig{})``, where ``InferenceConfig`` is
``struct{ VLLM map[string]string `yaml:"vllm"` }`` (kaito-project/kaito v0.12.0 0894eb2b
api/v1beta1/inference_config_validation.go), and Go's ``strconv.Atoi``.

upstream: go-yaml/yaml v2.4.0 (7649d4548cb53a614db133b2a8ac1f31859dda8c)
- decode.go ``scalar``: a scalar into a string field is its text as written, whatever it resolves
  to (``out.SetString(n.value)``); a null is the zero value (``""``, a nil map); ``terror``: a
  node that does not fit is ``line N: cannot unmarshal <tag>[ `<value>`] into <Go type>``, the
  value cut to 7 characters and "..." past 10, none for a sequence or mapping; ``mapping``,
  ``mappingStruct``: keys that are not fields are skipped; every misfit is collected.
- yaml.go ``TypeError.Error``: ``yaml: unmarshal errors:\\n  `` and the misfits joined by
  ``\\n  ``; ``Unmarshal`` decodes the first document only.
- resolve.go ``resolve``: the tag of a plain scalar (null, bool with y/n/yes/on..., int, float,
  timestamp, else str); a quoted scalar is a str.

Not reproduced: a syntax error's text. yaml.v2 reports libyaml's problem
(``yaml: line N: <problem>``, yaml.go ``parser.fail``); here the problem is PyYAML's, which words
some problems differently, and the line may differ by one. Callers should rely only on the refusal
and its prefix for those.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

TARGET = "v1beta1.InferenceConfig"
STRING_MAP = "map[string]string"


class YAMLError(Exception):
    """yaml.Unmarshal's error; str() is its Error() text."""


_MAP: dict[str, str] = {}
for _tag, _words in (
    ("!!bool", "y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF"),
    ("!!float", ".nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF"),
    ("!!null", "~ null Null NULL"),
    ("!!merge", "<<"),
):
    for _word in _words.split():
        _MAP[_word] = _tag
_MAP[""] = "!!null"
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[-+]\d{2}:\d{2})?)?$")


def _tag(node: yaml.Node) -> str:
    """resolve(): a plain scalar's tag; a quoted one is a str."""
    if isinstance(node, yaml.SequenceNode):
        return "!!seq"
    if isinstance(node, yaml.MappingNode):
        return "!!map"
    text = str(node.value)
    if getattr(node, "style", None):
        return "!!str"
    if text in _MAP:
        return _MAP[text]
    first = text[:1]
    if first == ".":
        return "!!float" if _FLOAT.match(text) else "!!str"
    if first in "+-0123456789" and first:
        plain = text.replace("_", "")
        if _TIMESTAMP.match(text):
            return "!!timestamp"
        if _INT.match(plain):
            return "!!int"
        if _FLOAT.match(plain):
            return "!!float"
    return "!!str"


def _null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and _tag(node) == "!!null"


def _terror(node: yaml.Node, into: str) -> str:
    tag = _tag(node)
    value = ""
    if tag not in ("!!seq", "!!map"):
        text = str(node.value)
        value = f" `{text[:7]}...`" if len(text) > 10 else f" `{text}`"
    return f"line {node.start_mark.line + 1}: cannot unmarshal {tag}{value} into {into}"


def _string(node: yaml.Node, errors: list[str]) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return "" if _null(node) else str(node.value)
    errors.append(_terror(node, "string"))
    return None


def _string_map(node: yaml.Node, errors: list[str]) -> dict[str, str]:
    if _null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        errors.append(_terror(node, STRING_MAP))
        return {}
    out: dict[str, str] = {}
    for key_node, value_node in node.value:
        key = _string(key_node, errors)
        if key is None:
            continue
        value = _string(value_node, errors)
        if value is not None:
            out[key] = value
    return out


def unmarshal_inference_config(text: str) -> dict[str, str]:
    """The ``vllm`` map yaml.v2 decodes from ``text``; YAMLError as Unmarshal fails."""
    try:
        node: Any = next(iter(yaml.compose_all(text, Loader=yaml.SafeLoader)), None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise YAMLError(f"yaml: {where}{exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise YAMLError(f"yaml: {exc}") from exc
    errors: list[str] = []
    vllm: dict[str, str] = {}
    if node is None or _null(node):
        pass
    elif not isinstance(node, yaml.MappingNode):
        errors.append(_terror(node, TARGET))
    else:
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == "vllm":
                vllm = _string_map(value_node, errors)
    if errors:
        raise YAMLError("yaml: unmarshal errors:\n  " + "\n  ".join(errors))
    return vllm


def _go_quote(text: str) -> str:
    """strconv.Quote for the text a ConfigMap holds (JSON's escapes where Go's match them)."""
    return json.dumps(text, ensure_ascii=False)


def atoi(text: str) -> tuple[int, str]:
    """strconv.Atoi: (value, "") or (0, its error text). Base 10, an optional sign, no "_"."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return 0, f"strconv.Atoi: parsing {_go_quote(text)}: invalid syntax"
    value = int(text)
    if not -(2**63) <= value < 2**63:
        return 0, f"strconv.Atoi: parsing {_go_quote(text)}: value out of range"
    return value, ""
