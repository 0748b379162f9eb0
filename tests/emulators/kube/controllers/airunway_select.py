"""AI Runway's engine and provider auto-selection, as its core controller runs them when the
ModelDeployment leaves spec.engine.type or spec.provider.name empty (the provider selector on:
controller/cmd/main.go ``--enable-provider-selector``, default true). Upstream: ai-runway/airunway
v0.7.0 (f5fd48d1; unchanged at b0d3fb77 but for import paths)
controller/internal/controller/modeldeployment_controller.go selectEngine, selectProvider,
runSelectionAlgorithm, specToMap and evaluateCEL; controller/api/v1alpha1/
inferenceproviderconfig_types.go (GetEngineCapability, SupportsServingMode: an engine with no
servingModes supports none).

* selectEngine: only InferenceProviderConfigs with ``status.ready`` and ``spec.capabilities``; an
  engine is available when it has gpuSupport (the spec asks GPUs, or is disaggregated) or
  cpuSupport (it asks none) and lists the serving mode; the first of vllm, sglang, trtllm,
  llamacpp available wins, recorded as "auto-selected from provider NAME capabilities" (NAME: the
  first config offering it).
* selectProvider / runSelectionAlgorithm: the ready configs whose capability for the resolved
  engine fits GPU/CPU and the serving mode are candidates; each scores the highest priority of its
  selectionRules whose CEL condition is true over the spec as JSON (spec.engine.type overlaid with
  the resolved engine), 0 if none; the highest score wins, ties to the smaller name; reason
  "matched capabilities: engine=E, gpu=true|false, mode=M".

Deviations: upstream's List reads the informer cache, whose order is not defined, so which
provider names an auto-selected engine's reason there may differ; here the configs go by name.
The CEL evaluator below understands the grammar the providers' own rules use (providers/*/config.go
GetProviderConfigSpec: ``has()``, ``!``, ``&&``, ``||``, ``==``, ``!=``, ``>``, ``>=``, ``<``,
``<=``, field selection, string/int/bool literals, parentheses), with CEL's error semantics (a
missing field is an error, which ``||``/``&&`` absorb where the other side decides; google/cel-spec
doc/langdef.md "Logical Operators"); any other expression counts as one that fails to evaluate,
which upstream skips too (evaluateCEL's error: ``continue``).
"""

from __future__ import annotations

import re
from typing import Any

NO_PROVIDERS = "no providers registered (InferenceProviderConfig resources not found)"
# selectEngine's enginePreference.
ENGINE_PREFERENCE = ("vllm", "sglang", "trtllm", "llamacpp")


class SelectionError(Exception):
    """selectEngine's or selectProvider's error: its text is the condition's message."""


def _spec(obj: dict[str, Any], *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def serving_mode(spec: dict[str, Any]) -> str:
    """ResolvedServingMode: spec.serving.mode, else aggregated."""
    return str(_spec(spec, "serving", "mode") or "aggregated")


def has_gpu(spec: dict[str, Any]) -> bool:
    """hasGPU of selectEngine and runSelectionAlgorithm: GPUs asked, or disaggregated."""
    return int(_spec(spec, "resources", "gpu", "count") or 0) > 0 or serving_mode(spec) == "disaggregated"


def _ready(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ready = [c for c in configs if (c.get("status") or {}).get("ready") is True]
    return sorted(ready, key=lambda c: str((c.get("metadata") or {}).get("name")))


def _fits(cap: dict[str, Any] | None, gpu: bool, mode: str) -> bool:
    if cap is None or not cap.get("gpuSupport" if gpu else "cpuSupport"):
        return False
    return mode in (cap.get("servingModes") or [])


def _go_list(names: list[str]) -> str:
    return "[" + " ".join(names) + "]"


def select_engine(spec: dict[str, Any], configs: list[dict[str, Any]]) -> tuple[str, str]:
    """The engine and its selectedReason for a spec naming none (none recorded yet)."""
    if not configs:
        raise SelectionError(NO_PROVIDERS)
    gpu, mode = has_gpu(spec), serving_mode(spec)
    available: dict[str, str] = {}
    advertised: dict[str, list[str]] = {}
    for config in _ready(configs):
        engines = _spec(config, "spec", "capabilities", "engines")
        if _spec(config, "spec", "capabilities") is None:
            continue
        name = str(config["metadata"]["name"])
        advertised[name] = [str(e.get("name")) for e in engines or []]
        for cap in engines or []:
            if _fits(cap, gpu, mode):
                available.setdefault(str(cap.get("name")), name)
    for engine in ENGINE_PREFERENCE:
        if engine in available:
            return engine, f"auto-selected from provider {available[engine]} capabilities"
    # Go's %v of a bool and of a map[string][]EngineType (fmt sorts map keys).
    shown = "map[" + " ".join(f"{k}:{_go_list(v)}" for k, v in sorted(advertised.items())) + "]"
    raise SelectionError(
        f"no engines available from registered providers (hasGPU={str(gpu).lower()}, servingMode={mode}, "
        f"advertised={shown})"
    )


def select_provider(spec: dict[str, Any], configs: list[dict[str, Any]], engine: str) -> tuple[str, str]:
    """The provider and its selectedReason for a spec naming none (none recorded yet)."""
    if not configs:
        raise SelectionError(NO_PROVIDERS)
    ready = _ready(configs)
    if not ready:
        raise SelectionError("no healthy providers available")
    gpu, mode = has_gpu(spec), serving_mode(spec)
    spec_map = {**spec, "engine": {**(spec.get("engine") or {})}}
    if engine and not spec_map["engine"].get("type"):
        spec_map["engine"]["type"] = engine
    best: tuple[int, str] | None = None
    for config in ready:
        engines = _spec(config, "spec", "capabilities", "engines")
        if _spec(config, "spec", "capabilities") is None:
            continue
        cap = next((e for e in engines or [] if e.get("name") == engine), None)
        if not _fits(cap, gpu, mode):
            continue
        priority = 0
        for rule in _spec(config, "spec", "selectionRules") or []:
            if cel(str(rule.get("condition") or ""), spec_map) is True:
                priority = max(priority, int(rule.get("priority") or 0))
        name = str(config["metadata"]["name"])
        if best is None or priority > best[0]:  # ready is by name: the first of a tie is the smaller
            best = (priority, name)
    if best is None:
        raise SelectionError("no compatible provider found for this configuration")
    return best[1], f"matched capabilities: engine={engine}, gpu={str(gpu).lower()}, mode={mode}"


# --- a CEL evaluator for the selection rules' grammar -------------------------------------------

_TOKEN = re.compile(r"\s*(\|\||&&|==|!=|>=|<=|[!()<>.]|'[^']*'|\"[^\"]*\"|\d+|[A-Za-z_][A-Za-z_0-9]*)")
_ERROR = object()  # a CEL error value (no such key, no such overload)


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(text)
        out.append(match.group(1))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str], env: dict[str, Any]) -> None:
        self.tokens, self.env, self.pos = tokens, env, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, want: str | None = None) -> str:
        token = self.peek()
        if token is None or (want is not None and token != want):
            raise ValueError(want)
        self.pos += 1
        return token

    def or_(self) -> Any:
        return self._logical("||", self.and_, True)

    def and_(self) -> Any:
        return self._logical("&&", self.rel, False)

    def _logical(self, op: str, operand: Any, decides: bool) -> Any:
        """``a || b`` (``decides`` True) or ``a && b`` (False): any operand equal to ``decides``
        gives it, whatever errors the others are; else an error or a non-bool among them is an
        error; else the other bool."""
        values = [operand()]
        while self.peek() == op:
            self.take()
            values.append(operand())
        if len(values) == 1:
            return values[0]
        if any(v is decides for v in values):
            return decides
        return _ERROR if any(v is _ERROR or not isinstance(v, bool) for v in values) else not decides

    def rel(self) -> Any:
        left = self.unary()
        op = self.peek()
        if op not in ("==", "!=", ">", ">=", "<", "<="):
            return left
        self.take()
        right = self.unary()
        if left is _ERROR or right is _ERROR:
            return _ERROR
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
        if op in ("==", "!="):
            # Heterogeneous equality: values of different types are unequal; numbers compare by value.
            if type(left) is not type(right) and not numeric:
                return op == "!="
            return (left == right) == (op == "==")
        if not numeric and not (isinstance(left, str) and isinstance(right, str)):
            return _ERROR
        return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            value = self.unary()
            return (not value) if isinstance(value, bool) else _ERROR
        return self.primary()

    def primary(self) -> Any:
        token = self.take()
        if token == "(":
            value = self.or_()
            self.take(")")
            return value
        if token == "has":
            self.take("(")
            path = self.path(self.take())
            self.take(")")
            if len(path) < 2:
                raise ValueError("has")
            holder = self.resolve(path[:-1])
            return path[-1] in holder if isinstance(holder, dict) else _ERROR
        if token[0] in "'\"":
            return token[1:-1]
        if token.isdigit():
            return int(token)
        if token in ("true", "false"):
            return token == "true"
        return self.resolve(self.path(token))

    def path(self, first: str) -> list[str]:
        names = [first]
        while self.peek() == ".":
            self.take()
            names.append(self.take())
        return names

    def resolve(self, path: list[str]) -> Any:
        if path[0] not in self.env:
            raise ValueError(path[0])
        value: Any = self.env[path[0]]
        for key in path[1:]:
            if not isinstance(value, dict) or key not in value:
                return _ERROR
            value = value[key]
        return value


def cel(expression: str, spec_map: dict[str, Any]) -> bool | None:
    """evaluateCEL with ``spec`` bound to ``spec_map``: the rule's boolean, None where it fails to
    compile or evaluate, or is not a bool (evaluateCEL's errors, which runSelectionAlgorithm skips)."""
    try:
        parser = _Parser(_tokens(expression), {"spec": spec_map})
        value = parser.or_()
        if parser.peek() is not None:
            return None
    except ValueError:
        return None
    return value if isinstance(value, bool) else None
