"""Policy guardrails: built-in rules evaluated on manifests before they are applied.

``enforce`` is what the apply engine calls on every rendered object list; ``evaluate`` is the
pure rule engine underneath; ``check_paths`` serves ``akscli policy check -f`` in CI with the
same rules and configuration, so a file that passes CI passes the apply and vice versa. A rule has
an id and a default severity (error, warning or info); a policy file enables, disables or
re-grades rules. An error finding blocks an apply unless ``--allow RULE`` names its rule.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from akscli import manifests
from akscli.errors import CheckFailedError, UsageError
from akscli.gpus import GPU_RESOURCES

SEVERITIES = ("error", "warning", "info")
# Opt-in annotation for a public LoadBalancer Service; an internal Azure LB needs none.
LOAD_BALANCER_OPT_IN = "akscli.io/allow-load-balancer"
AZURE_INTERNAL_LB = "service.beta.kubernetes.io/azure-load-balancer-internal"
# Kinds that serve traffic from several identical replicas and so want a PodDisruptionBudget.
_SERVING_KINDS = ("Deployment", "StatefulSet")
TOOL_URI = "https://github.com/akscli/akscli/blob/main/docs/operations.md"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    fix: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "container-resources",
            "warning",
            "containers must request cpu and memory and set a memory limit",
            "set resources.requests.cpu, resources.requests.memory and resources.limits.memory",
        ),
        Rule(
            "image-latest",
            "error",
            "images must not use the ':latest' tag or no tag at all",
            "pin a version tag, e.g. vllm/vllm-openai:v0.11.0, or a digest",
        ),
        Rule(
            "image-digest",
            "warning",
            "images should be pinned by digest",
            "append @sha256:<digest> to the image reference",
        ),
        Rule(
            "gpu-toleration",
            "warning",
            "GPU workloads should tolerate the GPU node taint",
            "add a toleration for nvidia.com/gpu (or sku=gpu) with effect NoSchedule",
        ),
        Rule(
            "gpu-fractional",
            "error",
            "GPU requests must be whole numbers",
            "request a whole number of GPUs, e.g. nvidia.com/gpu: 1",
        ),
        Rule(
            "privileged-pod",
            "error",
            "privileged containers are allowed only in the GPU operator's namespace",
            "drop securityContext.privileged, or run it in an allowed namespace",
        ),
        Rule(
            "service-load-balancer",
            "error",
            "Services of type LoadBalancer need an explicit opt-in",
            f'annotate the Service {LOAD_BALANCER_OPT_IN}: "true" or make it internal ({AZURE_INTERNAL_LB}: "true")',
        ),
        Rule(
            "pdb-missing",
            "warning",
            "multi-replica serving workloads need a PodDisruptionBudget",
            "add a policy/v1 PodDisruptionBudget whose selector matches the pods",
        ),
        Rule(
            "env-plain-secret",
            "error",
            "secrets must not be plain environment values",
            "use env[].valueFrom.secretKeyRef and a Secret",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    object_ref: str
    message: str
    source: str | None = None

    def to_dict(self) -> dict[str, str]:
        data = {
            "rule": self.rule,
            "severity": self.severity,
            "object": self.object_ref,
            "message": self.message,
        }
        if self.source:
            data["source"] = self.source
        return data


@dataclass(frozen=True)
class PolicyConfig:
    """Effective severities (None = disabled) and the rules' settings."""

    severities: Mapping[str, str | None] = field(default_factory=lambda: {r.id: r.severity for r in RULES.values()})
    privileged_namespaces: tuple[str, ...] = ("gpu-operator",)
    # Where objects without metadata.namespace will land (the apply's -n), when it is known.
    default_namespace: str | None = None
    gpu_toleration_keys: tuple[str, ...] = ("nvidia.com/gpu", "amd.com/gpu", "sku")

    def severity(self, rule: str) -> str | None:
        return self.severities.get(rule)


def known_rule(rule: str) -> str:
    if rule not in RULES:
        raise UsageError(f"unknown policy rule {rule!r}", hint="rules: " + ", ".join(sorted(RULES)))
    return rule


def known_rules(rules: Iterable[str]) -> tuple[str, ...]:
    """``--allow`` values, each a rule id: a typo must not silently let nothing through."""
    return tuple(known_rule(rule) for rule in rules)


def load_config(policy_file: str | None) -> PolicyConfig:
    """Built-in defaults, changed by the policy file when one is given.

    The file is YAML::

        rules:
          image-digest: error          # re-grade
          container-resources: off     # disable
          gpu-toleration: {severity: info}
        privilegedNamespaces: [gpu-operator, monitoring]
        gpuTolerationKeys: [nvidia.com/gpu, sku]
    """
    config = PolicyConfig()
    if policy_file is None:
        return config
    from akscli import yamlio

    path = Path(policy_file).expanduser()
    text = yamlio.read_text(path, f"policy file {policy_file!r}")
    data = yamlio.load(text, source=f"policy file {policy_file}") or {}
    if not isinstance(data, Mapping):
        raise UsageError(
            f"policy file {policy_file!r} is not a mapping",
            hint="start it with 'rules:' (see docs/operations.md)",
        )
    unknown = set(data) - {"rules", "privilegedNamespaces", "gpuTolerationKeys"}
    if unknown:
        raise UsageError(
            f"policy file {policy_file!r} has unknown keys: {', '.join(sorted(unknown))}",
            hint="allowed keys: rules, privilegedNamespaces, gpuTolerationKeys",
        )
    severities: dict[str, str | None] = dict(config.severities)
    rules = data.get("rules") or {}
    if not isinstance(rules, Mapping):
        raise UsageError(
            f"'rules' in {policy_file!r} must map rule ids to severities",
            hint="for example: rules: {image-digest: error, pdb-missing: off}",
        )
    for rule, setting in rules.items():
        severities[known_rule(str(rule))] = _severity_setting(str(rule), setting, policy_file)
    return PolicyConfig(
        severities=severities,
        privileged_namespaces=_string_list(data, "privilegedNamespaces", config.privileged_namespaces, policy_file),
        gpu_toleration_keys=_string_list(data, "gpuTolerationKeys", config.gpu_toleration_keys, policy_file),
    )


def _severity_setting(rule: str, setting: Any, policy_file: str) -> str | None:
    if isinstance(setting, Mapping):
        if setting.get("enabled") is False:
            return None
        setting = setting.get("severity", RULES[rule].severity)
    # YAML reads a bare `off` as False.
    if setting is False or str(setting).lower() in ("off", "disabled", "false"):
        return None
    if setting is True or str(setting).lower() in ("on", "enabled", "true"):
        return RULES[rule].severity
    if str(setting).lower() in SEVERITIES:
        return str(setting).lower()
    raise UsageError(
        f"policy file {policy_file!r}: rule {rule!r} has an unknown setting {setting!r}",
        hint="use error, warning, info or off",
    )


def _string_list(data: Mapping[str, Any], key: str, default: tuple[str, ...], policy_file: str) -> tuple[str, ...]:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(
            f"'{key}' in policy file {policy_file!r} must be a list of strings",
            hint=f"for example: {key}: [gpu-operator]",
        )
    return tuple(value)


# ---- the rules ---------------------------------------------------------------------------------


def object_ref(obj: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` (``Kind name`` for cluster-scoped objects)."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    namespace = meta.get("namespace")
    return f"{obj.get('kind', '?')} {namespace}/{name}" if namespace else f"{obj.get('kind', '?')} {name}"


def pod_templates(obj: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each pod template in a workload: (where, template with metadata and spec)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        yield "", {"metadata": obj.get("metadata") or {}, "spec": spec}
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        yield "", spec.get("template") or {}
    elif kind == "CronJob":
        yield "", ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    elif kind in ("RayCluster", "RayJob", "RayService"):
        cluster = spec
        if kind == "RayJob":
            cluster = spec.get("rayClusterSpec") or {}
        elif kind == "RayService":
            cluster = spec.get("rayClusterConfig") or {}
        head = (cluster.get("headGroupSpec") or {}).get("template")
        if head:
            yield "head ", head
        for group in cluster.get("workerGroupSpecs") or []:
            if group.get("template"):
                yield f"worker group {group.get('groupName', '?')!r} ", group["template"]


def _containers(template: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    spec = template.get("spec") or {}
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def _gpu_amounts(container: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    resources = container.get("resources") or {}
    for section in ("requests", "limits"):
        for resource in GPU_RESOURCES:
            value = (resources.get(section) or {}).get(resource)
            if value is not None:
                yield section, resource, value


def _quantity(value: Any) -> Decimal | None:
    from akscli.validate import quantity_value

    try:
        return quantity_value(str(value), "quantity")
    except (UsageError, InvalidOperation):
        return None


Check = Callable[[Mapping[str, Any], Sequence[Mapping[str, Any]], PolicyConfig], Iterator[tuple[str, str]]]


def _check_resources(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    for where, template in pod_templates(obj):
        for container in _containers(template):
            resources = container.get("resources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            missing = [f"requests.{r}" for r in ("cpu", "memory") if r not in requests]
            missing += ["limits.memory"] if "memory" not in limits else []
            if missing:
                yield (
                    "container-resources",
                    f"{where}container {container.get('name')!r} has no {', '.join(missing)}",
                )


def _image_parts(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference."""
    ref, _, digest = image.partition("@")
    last = ref.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else None
    return tag, digest or None


def _check_images(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    for where, template in pod_templates(obj):
        for container in _containers(template):
            image = str(container.get("image") or "")
            if not image:
                continue
            tag, digest = _image_parts(image)
            label = f"{where}container {container.get('name')!r} image {image!r}"
            if digest is None and tag in (None, "latest"):
                yield (
                    "image-latest",
                    (f"{label} uses ':latest'" if tag else f"{label} has no tag, so it means ':latest'"),
                )
            if digest is None:
                yield "image-digest", f"{label} is not pinned by digest"


def _tolerates_gpu(template: Mapping[str, Any], keys: Sequence[str]) -> bool:
    for toleration in (template.get("spec") or {}).get("tolerations") or []:
        key = toleration.get("key")
        if toleration.get("operator") == "Exists" and not key:
            return True  # tolerates every taint
        if key in keys:
            return True
    return False


def _check_gpu(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    for where, template in pod_templates(obj):
        uses_gpu = False
        for container in _containers(template):
            for section, resource, value in _gpu_amounts(container):
                amount = _quantity(value)
                if amount is not None and amount > 0:
                    uses_gpu = True
                if amount is None or amount != amount.to_integral_value():
                    yield (
                        "gpu-fractional",
                        f"{where}container {container.get('name')!r} {section} "
                        f"{resource}: {value} is not a whole number of GPUs",
                    )
        if uses_gpu and not _tolerates_gpu(template, config.gpu_toleration_keys):
            yield (
                "gpu-toleration",
                f"{where}pods request GPUs but tolerate none of the GPU taints "
                f"({', '.join(config.gpu_toleration_keys)}), so they stay Pending on tainted pools",
            )


def _namespace(obj: Mapping[str, Any], config: PolicyConfig) -> str | None:
    return (obj.get("metadata") or {}).get("namespace") or config.default_namespace


def _check_privileged(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    namespace = _namespace(obj, config)
    if namespace in config.privileged_namespaces:
        return
    for where, template in pod_templates(obj):
        for container in _containers(template):
            if (container.get("securityContext") or {}).get("privileged") is True:
                yield (
                    "privileged-pod",
                    f"{where}container {container.get('name')!r} is privileged in namespace "
                    f"{namespace or '<default>'!r}; allowed only in "
                    f"{', '.join(config.privileged_namespaces) or 'no namespace'}",
                )


def _check_load_balancer(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    if obj.get("kind") != "Service" or (obj.get("spec") or {}).get("type") != "LoadBalancer":
        return
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get(LOAD_BALANCER_OPT_IN, "")).lower() == "true":
        return
    if str(annotations.get(AZURE_INTERNAL_LB, "")).lower() == "true":
        return
    yield (
        "service-load-balancer",
        f"type LoadBalancer gets a public IP without the {LOAD_BALANCER_OPT_IN} opt-in",
    )


def _selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) against a label set."""
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False  # an empty PDB selector selects nothing in policy/v1
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    for expr in expressions:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if (
            (op == "In" and labels.get(key) not in values)
            or (op == "NotIn" and labels.get(key) in values)
            or (op == "Exists" and key not in labels)
            or (op == "DoesNotExist" and key in labels)
        ):
            return False
    return True


def _check_pdb(
    obj: Mapping[str, Any], objects: Sequence[Mapping[str, Any]], config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    if obj.get("kind") not in _SERVING_KINDS:
        return
    spec = obj.get("spec") or {}
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 2:
        return
    namespace = _namespace(obj, config)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for other in objects:
        if (
            other.get("kind") == "PodDisruptionBudget"
            and _namespace(other, config) == namespace
            and _selector_matches((other.get("spec") or {}).get("selector") or {}, labels)
        ):
            return
    yield "pdb-missing", f"{replicas} replicas and no PodDisruptionBudget selects their pods"


_SECRET_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PWD",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PASSPHRASE",
    }
)
_SECRET_PAIRS = frozenset(
    {
        ("API", "KEY"),
        ("ACCESS", "KEY"),
        ("PRIVATE", "KEY"),
        ("ACCOUNT", "KEY"),
        ("CONNECTION", "STRING"),
        ("SHARED", "KEY"),
        ("MASTER", "KEY"),
    }
)
# Values that are secrets whatever their name: JWTs, PEM keys, Azure storage keys, SAS signatures,
# GitHub and Hugging Face tokens, AWS access keys.
_SECRET_VALUE = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|AccountKey=[^;\s]+"
    r"|[?&]sig=[A-Za-z0-9%/+=]{16,}"
    r"|\b(ghp|gho|ghs|github_pat|hf)_[A-Za-z0-9_]{16,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\b[A-Za-z0-9+/]{86}=="
)


def is_secret_name(name: str) -> bool:
    """A variable, flag or key name that by convention holds a secret.

    Whole words only, so HF_TOKEN and clientSecret count but TOKENIZERS_PARALLELISM does not.
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if w]
    return any(w in _SECRET_WORDS for w in words) or any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def looks_secret(value: str) -> bool:
    """A value that is a secret whatever it is called (token, key, signature)."""
    return bool(_SECRET_VALUE.search(value))


def _check_env(
    obj: Mapping[str, Any], _all: Sequence[Mapping[str, Any]], _config: PolicyConfig
) -> Iterator[tuple[str, str]]:
    for where, template in pod_templates(obj):
        for container in _containers(template):
            for env in container.get("env") or []:
                name, value = str(env.get("name", "")), env.get("value")
                if not isinstance(value, str) or not value:
                    continue
                if is_secret_name(name) or looks_secret(value):
                    yield (
                        "env-plain-secret",
                        f"{where}container {container.get('name')!r} sets {name} as a plain "
                        "value (the value is not shown)",
                    )


CHECKS: tuple[Check, ...] = (
    _check_resources,
    _check_images,
    _check_gpu,
    _check_privileged,
    _check_load_balancer,
    _check_pdb,
    _check_env,
)


def evaluate(
    objects: Sequence[Mapping[str, Any]],
    config: PolicyConfig,
    sources: Sequence[str | None] | None = None,
) -> list[Finding]:
    """All findings of the enabled rules, errors first, in object order."""
    findings: list[Finding] = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, Mapping):
            continue
        source = sources[index] if sources else None
        for check in CHECKS:
            try:
                found = list(check(obj, objects, config))
            except (AttributeError, TypeError, KeyError) as exc:
                # A field of the wrong type (headGroupSpec: "x"): the manifest's fault, named here
                # before anything reaches the server.
                where = f"{source}: " if source else ""
                raise UsageError(
                    f"{where}{object_ref(obj)} has a field of the wrong type ({exc})",
                    hint=f"check the manifest against the schema: kubectl explain {obj.get('kind', 'KIND')}.spec",
                ) from exc
            for rule, message in found:
                severity = config.severity(rule)
                if severity is not None:
                    findings.append(Finding(rule, severity, object_ref(obj), message, source))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


def blocking(findings: Iterable[Finding], allow: Sequence[str]) -> list[Finding]:
    allowed = set(allow)
    return [f for f in findings if f.severity == "error" and f.rule not in allowed]


def raise_if_blocked(findings: Sequence[Finding], allow: Sequence[str], what: str, *, listed: bool = False) -> None:
    """CheckFailedError for error findings not allowed; ``listed``: they were printed already."""
    blocked = blocking(findings, allow)
    if not blocked:
        return
    rules = sorted({f.rule for f in blocked})
    if listed:
        detail = f"rules {', '.join(rules)}"
    else:
        detail = "; ".join(f"[{f.rule}] {f.object_ref}: {f.message}" for f in blocked[:5])
        detail += f"; and {len(blocked) - 5} more" if len(blocked) > 5 else ""
    raise CheckFailedError(
        f"policy {what}: {len(blocked)} blocking finding(s): {detail}",
        hint="fix the manifests, or pass "
        + " ".join(f"--allow {r}" for r in rules)
        + " (an apply records it in the audit log)",
    )


def enforce(
    objects: Sequence[dict[str, Any]],
    *,
    allow: Sequence[str] = (),
    policy_file: str | None = None,
    namespace: str | None = None,
) -> list[Finding]:
    """Evaluate before an apply; raise CheckFailedError when an error is not allowed.

    ``namespace`` is where objects without one will be applied (``-n``), so that a privileged
    pod sent to an allowed namespace is not blocked.
    """
    allowed = known_rules(allow)
    config = replace(load_config(policy_file), default_namespace=namespace)
    findings = evaluate(objects, config)
    raise_if_blocked(findings, allowed, "blocked the apply")
    return findings


def check_paths(
    paths: Sequence[str], *, allow: Sequence[str] = (), policy_file: str | None = None
) -> tuple[list[Finding], int]:
    """``policy check -f``: the findings in manifest files and how many objects were read.

    The same rules, policy file and ``--allow`` check as ``enforce``, so CI and an apply agree;
    the caller prints the findings, then calls ``raise_if_blocked``.
    """
    known_rules(allow)
    config = load_config(policy_file)
    loaded, files = manifests.load(paths)
    pairs = [(obj, src) for obj, src in zip(loaded, files, strict=True) if "kind" in obj]
    objects, sources = [o for o, _ in pairs], [s for _, s in pairs]
    if not objects:
        # A CI gate that passes because the path held no manifests hides a wrong path.
        raise UsageError(
            f"no manifests found in {', '.join(paths)}",
            hint="give -f a file or folder of .yaml/.yml/.json manifests with apiVersion and kind",
        )
    return evaluate(objects, config, sources), len(objects)


def rule_rows(config: PolicyConfig) -> list[dict[str, str | None]]:
    """Each rule with its effective severity (None: disabled) beside its default."""
    return [
        {"rule": r.id, "severity": config.severity(r.id), "default": r.severity, "summary": r.summary, "fix": r.fix}
        for r in RULES.values()
    ]


def sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    """SARIF 2.1.0, the format CI code-scanning uploads take."""
    used = sorted({f.rule for f in findings} | set(RULES))
    level = {"error": "error", "warning": "warning", "info": "note"}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": used.index(f.rule),
            "level": level[f.severity],
            "message": {"text": f"{f.object_ref}: {f.message}"},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": f.source or "rendered-manifests"}},
                    "logicalLocations": [{"fullyQualifiedName": f.object_ref, "kind": "resource"}],
                }
            ],
        }
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "akscli policy",
                        "informationUri": TOOL_URI,
                        "rules": [
                            {
                                "id": rule,
                                "shortDescription": {"text": RULES[rule].summary},
                                "help": {"text": RULES[rule].fix},
                                "defaultConfiguration": {"level": level[RULES[rule].severity]},
                            }
                            for rule in used
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
