"""Policy guardrails: built-in rules evaluated on manifests before they are applied.

``enforce`` is what the apply engine calls on every rendered object list; ``evaluate`` is the
pure rule engine underneath; ``check_paths`` serves ``akscli policy check -f`` in CI with the
same rules and configuration, so a file that passes CI passes the apply and vice versa. A rule has
an id and a default severity (error, warning or info); a policy file enables, disables or
re-grades rules. An error finding blocks an apply unless ``--allow RULE`` names its rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from akscli import manifests, shapes
from akscli.errors import CheckFailedError, UsageError
from akscli.policy.rules import CHECKS, finding_ref, object_ref
from akscli.policy.rules import RULES as RULES
from akscli.policy.rules import SEVERITIES as SEVERITIES
from akscli.policy.rules import PolicyConfig as PolicyConfig

TOOL_URI = "https://github.com/akscli/akscli/blob/main/docs/operations.md"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    object_ref: str
    message: str
    source: str | None = None
    # Where in ``source`` the finding's field (or its object) is: line and column, from 1.
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, str | int]:
        data: dict[str, str | int] = {
            "rule": self.rule,
            "severity": self.severity,
            "object": self.object_ref,
            "message": self.message,
        }
        if self.source:
            data["source"] = self.source
        if self.line is not None:
            data["line"] = self.line
        return data


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
    text = yamlio.read_text(path, f"--policy-file {policy_file!r}")
    data = yamlio.load(text, source=f"--policy-file {policy_file}") or {}
    if not isinstance(data, Mapping):
        raise UsageError(
            f"--policy-file {policy_file!r} is not a mapping",
            hint="start it with 'rules:' (see docs/operations.md)",
        )
    unknown = set(data) - {"rules", "privilegedNamespaces", "gpuTolerationKeys"}
    if unknown:
        raise UsageError(
            f"--policy-file {policy_file!r} has unknown keys: {', '.join(sorted(unknown))}",
            hint="allowed keys: rules, privilegedNamespaces, gpuTolerationKeys",
        )
    severities: dict[str, str | None] = dict(config.severities)
    rules = data.get("rules") or {}
    if not isinstance(rules, Mapping):
        raise UsageError(
            f"'rules' in --policy-file {policy_file!r} must map rule ids to severities",
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
        f"--policy-file {policy_file!r}: rule {rule!r} has an unknown setting {setting!r}",
        hint="use error, warning, info or off",
    )


def _string_list(data: Mapping[str, Any], key: str, default: tuple[str, ...], policy_file: str) -> tuple[str, ...]:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(
            f"'{key}' in --policy-file {policy_file!r} must be a list of strings",
            hint=f"for example: {key}: [gpu-operator]",
        )
    return tuple(value)


def evaluate(
    objects: Sequence[Mapping[str, Any]],
    config: PolicyConfig,
    sources: Sequence[str | None] | None = None,
    nodes: Sequence[Any] | None = None,
) -> list[Finding]:
    """All findings of the enabled rules, errors first, in object order; ``nodes`` (from
    ``manifests.load``) give each finding the line of its field in its file."""
    from akscli import manifest_lines

    findings: list[Finding] = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, Mapping):
            continue
        source = sources[index] if sources else None
        where = f"{source}: " if source else ""
        # The structural check render runs too (akscli.shapes): a field of the wrong type is named
        # with the type the API declares, before a rule reads it or anything reaches the server.
        wrong = shapes.problem(obj)
        if wrong:
            raise UsageError(
                f"{where}{object_ref(obj)}: {wrong}",
                hint=f"fix the manifest; the field's type: {shapes.explain_command(obj, wrong)}",
            )
        for check in CHECKS:
            try:
                found = list(check(obj, objects, config))
            except (AttributeError, TypeError, KeyError) as exc:
                # A wrong type akscli.shapes does not know of: still the manifest's fault, named
                # here before anything reaches the server.
                raise UsageError(
                    f"{where}{object_ref(obj)} has a field of the wrong type ({exc})",
                    hint=f"check the manifest against the schema: kubectl explain {obj.get('kind', 'KIND')}.spec",
                ) from exc
            node = nodes[index] if nodes else None
            for rule, message, at in found:
                severity = config.severity(rule)
                if severity is None:
                    continue
                line, column = manifest_lines.locate(obj, node, at) if node is not None else (None, None)
                findings.append(Finding(rule, severity, finding_ref(obj, config), message, source, line, column))
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
    paths: Sequence[str],
    *,
    allow: Sequence[str] = (),
    policy_file: str | None = None,
    namespace: str | None = None,
    places: list[tuple[str | None, int | None]] | None = None,
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """``policy check -f``: the findings in manifest files and the objects read; ``namespace``:
    where objects without one land (as ``enforce``'s); ``places``, where given, gets each
    object's file and line.

    The same rules, policy file and ``--allow`` check as ``enforce``, so CI and an apply agree;
    the caller prints the findings, then calls ``raise_if_blocked``.
    """
    known_rules(allow)
    config = replace(load_config(policy_file), default_namespace=namespace)
    nodes: list[Any] = []
    loaded, files = manifests.load(paths, nodes)
    kept = [i for i, obj in enumerate(loaded) if "kind" in obj]
    objects, sources = [loaded[i] for i in kept], [files[i] for i in kept]
    # A document with a kind is a manifest: checked as apply checks it (apiVersion, kind,
    # metadata.name), so CI does not pass what apply then refuses.
    manifests.require_names(objects, sources)
    if not objects:
        raise manifests.none_found(paths)  # a CI gate passing on a wrong path hides it
    if places is not None:
        from akscli import manifest_lines

        for index in kept:
            node = nodes[index] if index < len(nodes) else None
            places.append((files[index], manifest_lines.locate(loaded[index], node, None)[0] if node else None))
    return evaluate(objects, config, sources, [nodes[i] for i in kept]), objects


def rule_rows(config: PolicyConfig) -> list[dict[str, str | None]]:
    """Each rule with its effective severity (None: disabled) beside its default, and the upstream
    policy it enforces (None: akscli's own)."""
    return [
        {
            "rule": r.id,
            "severity": config.severity(r.id),
            "default": r.severity,
            "summary": r.summary,
            "fix": r.fix,
            "upstream": r.upstream or None,
        }
        for r in RULES.values()
    ]


# The base id a SARIF artifact location's relative uri is resolved against (SARIF 2.1.0 §3.4.4,
# run.originalUriBaseIds §3.14.14); the name sarif-sdk and GitHub's examples use.
SRCROOT = "%SRCROOT%"


def source_root(cwd: Path) -> Path:
    """The root SARIF paths are relative to: the git repository ``cwd`` is in (code scanning reads
    a relative uri from the repository's root), else ``cwd``."""
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
    return cwd


def _artifact_location(source: str, root: Path) -> dict[str, str]:
    """A file under ``root`` as a relative uri with ``uriBaseId`` (GitHub's upload docs: a path
    from the repository's root); one outside it as an absolute ``file://`` uri, with no base id
    (SARIF 2.1.0 §3.4.4: a uriBaseId goes only with a relative reference). Symlinks are resolved,
    as GitHub's docs ask."""
    from urllib.parse import quote

    path = Path(source).resolve()
    try:
        relative = path.relative_to(root)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _location(f: Finding, root: Path) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": f.object_ref, "kind": "resource"}]}
    if not f.source or f.source == "<stdin>":
        return location  # no file to point at: stdin, or objects akscli rendered
    region: dict[str, int] = {"startLine": f.line or 1}  # no line: the file's first
    if f.line is not None and f.column is not None:
        region["startColumn"] = f.column
    location["physicalLocation"] = {"artifactLocation": _artifact_location(f.source, root), "region": region}
    return location


@dataclass(frozen=True)
class OtherRule:
    """A rule that is not akscli's, whose results go in the same SARIF run: a cluster's Gatekeeper
    constraint (``policy check --context``)."""

    id: str
    summary: str
    description: str
    help: str
    severity: str  # error | warning | info


def sarif(findings: Sequence[Finding], cwd: Path | None = None, others: Sequence[OtherRule] = ()) -> dict[str, Any]:
    """SARIF 2.1.0, the format CI code-scanning uploads take (upstream: oasis-tcs/sarif-spec
    Schemata/sarif-schema-2.1.0.json; the properties GitHub reads: github/docs
    sarif-support-for-code-scanning.md). Each finding's location is its file, relative to
    ``%SRCROOT%`` (the git repository ``cwd`` is in), and ``region.startLine`` the line of the
    field it is about (microsoft/sarif-sdk GH1003 ProvideRequiredRegionProperties)."""
    root = source_root((cwd or Path.cwd()).resolve())
    other = {r.id: r for r in others}
    used = sorted(({f.rule for f in findings} - set(other)) | set(RULES)) + list(other)
    level = {"error": "error", "warning": "warning", "info": "note"}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": used.index(f.rule),
            "level": level[f.severity],
            "message": {"text": f"{f.object_ref}: {f.message}"},
            "locations": [_location(f, root)],
        }
        for f in findings
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "akscli policy",
                        "informationUri": TOOL_URI,
                        "rules": [_descriptor(rule, other.get(rule), level) for rule in used],
                    }
                },
                "originalUriBaseIds": {
                    SRCROOT: {
                        "uri": root.as_uri().rstrip("/") + "/",
                        "description": {"text": "The git repository policy check ran in, else its folder."},
                    }
                },
                "results": results,
            }
        ],
    }


def _descriptor(rule: str, other: OtherRule | None, level: Mapping[str, str]) -> dict[str, Any]:
    """A reportingDescriptor (SARIF 2.1.0 §3.49): an akscli rule's, or ``other``'s."""
    if other is not None:
        summary, description, fix, severity = other.summary, other.description, other.help, other.severity
    else:
        found = RULES[rule]
        summary, description, fix, severity = found.summary, _full_description(rule), found.fix, found.severity
    return {
        "id": rule,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": description},
        "help": {"text": fix},
        "defaultConfiguration": {"level": level[severity]},
    }


def _full_description(rule: str) -> str:
    """GitHub shows ``fullDescription.text`` beside each alert (its upload docs mark it required)."""
    found = RULES[rule]
    return f"{found.summary}; {found.upstream}" if found.upstream else found.summary
