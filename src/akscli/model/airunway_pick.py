"""Which provider AI Runway's core controller would pick for the ModelDeployment that
``model deploy --runtime airunway --provider auto`` applies, and the refusal where that is the kaito
provider and KAITO would refuse its Workspace. Plain logic: no Typer, no rich.

The pick, as the controller makes it for a spec with no spec.provider (upstream: ai-runway/airunway
v0.7.0 f5fd48d1, unchanged at b0d3fb77 but for import paths,
controller/internal/controller/modeldeployment_controller.go selectProvider, runSelectionAlgorithm,
specToMap, evaluateCEL): among the InferenceProviderConfigs with status.ready whose capability for
the engine (vllm: akscli names it) has gpuSupport (akscli asks GPUs) and lists the serving mode
(aggregated), the one whose selectionRules give the highest priority (a rule counts where its CEL
condition is true over the spec as JSON; one that fails to evaluate is skipped; none: 0), ties to
the smaller name. The CEL below covers the grammar of the providers' own rules
(providers/*/config.go GetProviderConfigSpec: has(), !, &&, ||, comparisons, field selection,
literals), with CEL's errors (a missing field) absorbed by ``||``/``&&`` where the other side
decides (google/cel-spec doc/langdef.md, "Logical Operators"). Any other expression makes the pick
unknown here (None), and nothing is refused on it.

What the kaito provider does with akscli's auto spec (upstream: ai-runway/airunway v0.7.0
providers/kaito/transformer.go buildResource, buildInference): the Workspace's preset name is
spec.model.id (the Hugging Face id, which KAITO v0.9.0+ takes as a preset: kaito-project/kaito
v0.12.0 pkg/utils/plugin/plugin.go IsValidPreset, ``org/model``), resource.count is
scaling.replicas, and resource.instanceType is written only where the provider runs with
AIRUNWAY_KAITO_NODE_AUTO_PROVISIONING on and AIRUNWAY_KAITO_GPU_INSTANCE_TYPE set (its manifests,
providers/kaito/config/manager/manager.yaml, set neither). KAITO's webhook, with node
auto-provisioning on (its chart's default, disableNodeAutoProvisioning=false), refuses a Workspace
without one: "instanceType is required when node auto-provisioning is enabled"
(kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go Workspace.validateCreate), and the
provider fails the ModelDeployment ("Failed to create Workspace"). The Workspace gets no
presetOptions.modelAccessSecret either (buildInference; spec.secrets is read on the llama.cpp path
only), so --access-secret is refused where kaito is the pick (_token_refusal).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError, UsageError
from akscli.model.kinds import AIRUNWAY_API

if TYPE_CHECKING:
    from akscli.kube.client import Kube
    from akscli.model.request import DeployRequest

# The kaito provider's pods (upstream: ai-runway/airunway v0.7.0 providers/kaito/config/manager/
# manager.yaml, Deployment airunway-kaito-provider, pod labels) and the variables its transformer
# reads (providers/kaito/transformer.go nodeAutoProvisioningEnv, gpuInstanceTypeEnv,
# kaitoNodeAutoProvisioningEnabled: these words, case-insensitive, trimmed, are on).
KAITO_PROVIDER_PODS = "control-plane=kaito-provider,app.kubernetes.io/name=airunway"
NAP_ENV = "AIRUNWAY_KAITO_NODE_AUTO_PROVISIONING"
GPU_INSTANCE_TYPE_ENV = "AIRUNWAY_KAITO_GPU_INSTANCE_TYPE"
_ON = frozenset({"1", "t", "true", "y", "yes", "on", "enabled"})


class Unknown(Exception):
    """A selection rule whose CEL this evaluator does not read: the pick is not known here."""


def _at(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, Mapping) else None
    return obj


def pick(spec: Mapping[str, Any], configs: Iterable[Mapping[str, Any]]) -> tuple[str, dict[str, int]] | None:
    """The provider runSelectionAlgorithm picks for ``spec`` (engine vllm, GPUs, aggregated:
    akscli's) and the score of every ready provider that fits; None where none fits or a rule is
    not read here."""
    gpu = int(_at(spec, "resources", "gpu", "count") or 0) > 0
    mode = str(_at(spec, "serving", "mode") or "aggregated")
    engine = str(_at(spec, "engine", "type") or "vllm")
    scores: dict[str, int] = {}
    for config in configs:
        if _at(config, "status", "ready") is not True or _at(config, "spec", "capabilities") is None:
            continue
        engines = _at(config, "spec", "capabilities", "engines") or []
        cap = next((e for e in engines if isinstance(e, Mapping) and e.get("name") == engine), None)
        if cap is None or not cap.get("gpuSupport" if gpu else "cpuSupport"):
            continue
        if mode not in (cap.get("servingModes") or []):
            continue
        score = 0
        for rule in _at(config, "spec", "selectionRules") or []:
            try:
                if cel(str(rule.get("condition") or ""), spec) is True:
                    score = max(score, int(rule.get("priority") or 0))
            except Unknown:
                return None
        scores[str(_at(config, "metadata", "name"))] = score
    if not scores:
        return None
    # The highest score; of a tie, the smaller name.
    return min(scores, key=lambda name: (-scores[name], name)), scores


def _provider_instance_type(kube: Kube) -> str | None:
    """The instanceType the kaito provider writes for a GPU Workspace (its env), None for none."""
    for pod in kube.list("v1", "Pod", all_namespaces=True, label_selector=KAITO_PROVIDER_PODS, page_size=1):
        env = {
            str(e.get("name")): str(e.get("value") or "")
            for c in _at(pod, "spec", "containers") or []
            for e in c.get("env") or []
        }
        if env.get(NAP_ENV, "").strip().lower() in _ON:
            return env.get(GPU_INSTANCE_TYPE_ENV, "").strip() or None
        return None
    return None


def check_auto(
    kube: Kube, req: DeployRequest, spec: Mapping[str, Any], kaito_gates: Callable[[], Mapping[str, bool]]
) -> list[str]:
    """``--provider auto``: refuse where AI Runway would pick its kaito provider and that fails
    (KAITO refuses the Workspace, or --replicas would count GPU nodes); a warning where it would
    pick kaito and KAITO takes it. One list of InferenceProviderConfigs (a handful, cluster-scoped);
    the KAITO reads only when kaito is the pick. Nothing is refused where the configs cannot be
    read or a rule is not understood. ``kaito_gates``: the feature gates KAITO's controller runs
    with (the chart's defaults where no controller pod is found)."""
    if not kube.has_api(AIRUNWAY_API, "InferenceProviderConfig"):
        return []
    try:
        configs = list(kube.list(AIRUNWAY_API, "InferenceProviderConfig"))
    except AkscliError:
        return []
    chosen = pick(spec, configs)
    if chosen is None or chosen[0] != "kaito":
        return []
    scores = chosen[1]
    if len(scores) == 1:
        why = "the only ready provider for a vLLM GPU model"
    else:
        tied = sorted(name for name, score in scores.items() if score == scores["kaito"] and name != "kaito")
        why = f"its selection rules score {scores['kaito']}" + (
            f", the same as {' and '.join(tied)}, and a tie goes to the smaller name" if tied else ", the highest"
        )
    lead = f"with --provider auto AI Runway would pick its kaito provider here ({why})"
    replicas = int(_at(spec, "scaling", "replicas") or 1)
    if replicas > 1:
        # buildResource: scaling.replicas -> resource.count, GPU nodes of one Workspace to KAITO.
        raise UsageError(
            f"--replicas {replicas}: {lead}, which passes the count to KAITO as the Workspace's "
            "resource.count (GPU nodes of one server), not as replicas",
            hint=f"use --provider vllm (or llmd) for {replicas} replicas, or --runtime kaito --replicas {replicas}",
        )
    if req.access_secret:
        raise _token_refusal(req, lead)
    try:
        nap = not kaito_gates().get("disableNodeAutoProvisioning", False)
        instance_type = _provider_instance_type(kube) if nap else None
    except AkscliError:
        return [f"{lead}; KAITO's settings could not be read, so not checked that it takes the Workspace"]
    if nap and instance_type is None:
        raise UsageError(
            f"{lead}, which gives KAITO a Workspace without an instanceType, and KAITO runs with node "
            "auto-provisioning: its webhook refuses it (instanceType is required when node auto-provisioning "
            "is enabled)",
            hint="use --provider vllm (or llmd), or --provider kaito (akscli then sets the instanceType)",
        )
    where = (
        f"a {instance_type} node KAITO provisions" if instance_type else "GPU nodes that KAITO's labelSelector matches"
    )
    return [f"{lead}: KAITO serves {req.model.id} as a Hugging Face preset on {where}"]


def _token_refusal(req: DeployRequest, lead: str) -> UsageError:
    """--access-secret where the kaito provider would serve: it gives KAITO no token. buildInference
    writes the preset's name only (no presetOptions.modelAccessSecret), and spec.secrets.huggingFaceToken
    is read on the llama.cpp path only (providers/kaito/transformer.go buildEnvVars). KAITO then reads
    the Hub without it (kaito-project/kaito v0.12.0 presets/workspace/models/vllm_model.go GetModelByName:
    the Secret of modelAccessSecret; generator.go fetchURL: 401/403 without a token is "authentication
    required"), and sets the pods' HF_TOKEN only from that Secret (pkg/workspace/inference/
    preset_inferences.go SetHFToken). A catalog model is admitted without the Hub (generator.go
    loadFromCatalog; DownloadAuthRequired never set, api/v1beta1/workspace_validation.go), so a gated
    one fails at its pods' download."""
    from akscli.model import kaito_names

    model = req.model.id
    if kaito_names.from_hub(req.model):
        why = (
            f"KAITO's webhook reads its config.json from the Hub without one, and refuses the Workspace of a "
            f"gated or private repo (authentication required); its pods would download {model} without one too"
        )
    elif req.model.access_token_required:
        why = f"{model} is gated, and KAITO's pods would download it without a token: the Hub refuses it (401)"
    else:
        why = f"KAITO's pods would download {model} without it"
    return UsageError(
        f"--access-secret {req.access_secret}: {lead}, which gives KAITO no Hugging Face token (its Workspace gets "
        f"no presetOptions.modelAccessSecret; spec.secrets.huggingFaceToken is read for llama.cpp only): {why}",
        hint="use --provider vllm (or llmd), or --provider kaito (akscli then gives KAITO the Secret as "
        "presetOptions.modelAccessSecret)"
        + ("" if req.model.access_token_required else "; or leave --access-secret out for a public repo"),
    )


# --- CEL, the selection rules' grammar ------------------------------------------------------

_TOKEN = re.compile(r"\s*(\|\||&&|==|!=|>=|<=|[!()<>.]|'[^']*'|\"[^\"]*\"|\d+|[A-Za-z_][A-Za-z_0-9]*)")
_ERROR = object()  # a CEL error value (no such key, no such overload)


def _tokens(text: str) -> list[str]:
    out, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            raise Unknown(text)
        out.append(match.group(1))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str], env: Mapping[str, Any]) -> None:
        self.tokens, self.env, self.pos = tokens, env, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, want: str | None = None) -> str:
        token = self.peek()
        if token is None or (want is not None and token != want):
            raise Unknown(want or "end")
        self.pos += 1
        return token

    def logical(self, level: int = 0) -> Any:
        """``a || b`` (level 0) and ``a && b`` (level 1): an operand equal to the operator's
        deciding value gives it, whatever errors the others are; else any error is an error."""
        op, decides = ("||", True) if level == 0 else ("&&", False)
        values = [self.logical(1) if level == 0 else self.rel()]
        while self.peek() == op:
            self.take()
            values.append(self.logical(1) if level == 0 else self.rel())
        if len(values) == 1:
            return values[0]
        if any(v is decides for v in values):
            return decides
        return _ERROR if any(not isinstance(v, bool) for v in values) else not decides

    def rel(self) -> Any:
        left = self.unary()
        op = self.peek()
        if op not in ("==", "!=", ">", ">=", "<", "<="):
            return left
        self.take()
        right = self.unary()
        if left is _ERROR or right is _ERROR:
            return _ERROR
        numeric = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
        if op in ("==", "!="):
            same = (type(left) is type(right) or numeric) and left == right  # heterogeneous: unequal
            return same == (op == "==")
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
            value = self.logical()
            self.take(")")
            return value
        if token == "has":
            self.take("(")
            path = self.path(self.take())
            self.take(")")
            holder = self.resolve(path[:-1]) if len(path) > 1 else _ERROR
            return path[-1] in holder if isinstance(holder, Mapping) else _ERROR
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
            raise Unknown(path[0])
        value: Any = self.env[path[0]]
        for key in path[1:]:
            if not isinstance(value, Mapping) or key not in value:
                return _ERROR
            value = value[key]
        return value


def cel(expression: str, spec: Mapping[str, Any]) -> bool | None:
    """evaluateCEL with ``spec`` bound: the rule's bool, None where it evaluates to an error or
    a non-bool (skipped upstream); Unknown where its grammar is not read here."""
    parser = _Parser(_tokens(expression), {"spec": spec})
    value = parser.logical()
    if parser.peek() is not None:
        raise Unknown(expression)
    return value if isinstance(value, bool) else None
