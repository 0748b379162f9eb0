"""The API server's validation of a Job's spec: restartPolicy, podFailurePolicy, successPolicy,
backoffLimitPerIndex and podReplacementPolicy, in upstream's order and wording.

upstream: kubernetes/kubernetes pkg/apis/batch/validation/validation.go validateJobSpec,
validatePodFailurePolicy, validatePodFailurePolicyRule, validatePodFailurePolicyRuleOnExitCodes,
validatePodFailurePolicyRuleOnPodConditions, validateSuccessPolicy, validateSuccessPolicyRule,
validatePodReplacementPolicy (read through the code index; the repository is too large to fetch
here); the messages as kubernetes/apimachinery pkg/util/validation/field/errors.go ErrorBody
writes them (a named string type, such as RestartPolicy, is printed with %#v, so quoted)."""

from __future__ import annotations

import json
from typing import Any

Cause = tuple[str, str, str]

ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"]  # sets.List(supportedPodFailurePolicyActions)
OPERATORS = ["In", "NotIn"]
CONDITION_STATUSES = ["False", "True", "Unknown"]
REPLACEMENT_POLICIES = ["Failed", "TerminatingOrFailed"]
MAX_RULES = 20  # maxPodFailurePolicyRules, maxSuccessPolicyRule
MAX_EXIT_CODES = 255  # maxPodFailurePolicyOnExitCodesValues


def _go_list(values: list[str]) -> str:
    """Go's %q of a []string: ["a" "b"]."""
    return "[" + " ".join(json.dumps(v) for v in values) + "]"


def _supported(values: list[str]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _int32_slice(values: Any) -> str:
    """Go's %#v of a []int32."""
    if not values:
        return "[]int32(nil)" if values is None else "[]int32{}"
    return "[]int32{" + ", ".join(str(v) for v in values) + "}"


def _required(path: str, detail: str) -> Cause:
    return ("FieldValueRequired", path, f"Required value: {detail}")


def _invalid(path: str, value: str, detail: str) -> Cause:
    return ("FieldValueInvalid", path, f"Invalid value: {value}: {detail}")


def _not_supported(path: str, value: Any, supported: list[str]) -> Cause:
    return (
        "FieldValueNotSupported",
        path,
        f"Unsupported value: {json.dumps(value)}: supported values: {_supported(supported)}",
    )


def _too_many(path: str, actual: int, limit: int) -> Cause:
    return ("FieldValueTooMany", path, f"Too many: {actual}: must have at most {limit} items")


def _indexed(spec: dict[str, Any]) -> bool:
    return spec.get("completionMode") == "Indexed"


def causes(spec: dict[str, Any]) -> list[Cause]:
    """validateJobSpec's errors for these fields, in its order, but for the restartPolicy's
    (restart_causes), which come after the pod template's."""
    out: list[Cause] = []
    if not _indexed(spec):
        for name in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(name) is not None:
                out.append(_invalid(f"spec.{name}", str(spec[name]), "requires indexed completion mode"))
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        out += _pod_failure_policy(spec, policy)
    success = spec.get("successPolicy")
    if isinstance(success, dict):
        if not _indexed(spec):
            out.append(
                _invalid("spec.successPolicy", _success_policy_value(success), "requires indexed completion mode")
            )
        else:
            out += _success_policy(spec, success)
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        if isinstance(policy, dict):
            if replacement != "Failed":
                out.append(_not_supported("spec.podReplacementPolicy", replacement, ["Failed"]))
        elif replacement not in REPLACEMENT_POLICIES:
            out.append(_not_supported("spec.podReplacementPolicy", replacement, REPLACEMENT_POLICIES))
    return out


def restart_causes(spec: dict[str, Any]) -> list[Cause]:
    """The template's restartPolicy, checked after ValidatePodTemplateSpec."""
    out: list[Cause] = []
    policy = spec.get("podFailurePolicy")
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    pod_spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    restart = pod_spec.get("restartPolicy") or ""
    path = "spec.template.spec.restartPolicy"
    # SetDefaults_PodSpec writes Always where the template gives none, so both are refused here
    if restart in ("Always", ""):
        out.append(_required(path, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        out.append(_not_supported(path, restart, ["OnFailure", "Never"]))
    elif isinstance(policy, dict) and restart != "Never":
        out.append(_invalid(path, json.dumps(restart), 'only "Never" is supported when podFailurePolicy is specified'))
    return out


def _pod_failure_policy(spec: dict[str, Any], policy: dict[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    rules = policy.get("rules") if isinstance(policy.get("rules"), list) else []
    if len(rules) > MAX_RULES:
        out.append(_too_many("spec.podFailurePolicy.rules", len(rules), MAX_RULES))
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names = {
        c.get("name")
        for key in ("containers", "initContainers")
        for c in pod_spec.get(key) or []
        if isinstance(c, dict)
    }
    for i, rule in enumerate(rules):
        if isinstance(rule, dict):
            out += _pod_failure_rule(spec, rule, f"spec.podFailurePolicy.rules[{i}]", names)
    return out


def _pod_failure_rule(spec: dict[str, Any], rule: dict[str, Any], at: str, names: set[Any]) -> list[Cause]:
    out: list[Cause] = []
    action = rule.get("action") or ""
    if action == "":
        out.append(_required(f"{at}.action", f"valid values: {_go_list(ACTIONS)}"))
    elif action == "FailIndex":
        if spec.get("backoffLimitPerIndex") is None:
            out.append(_invalid(f"{at}.action", json.dumps(action), "requires the backoffLimitPerIndex to be set"))
    elif action not in ACTIONS:
        out.append(_not_supported(f"{at}.action", action, ACTIONS))
    exit_codes = rule.get("onExitCodes")
    conditions = rule.get("onPodConditions") or []
    if isinstance(exit_codes, dict):
        out += _on_exit_codes(exit_codes, f"{at}.onExitCodes", names)
    if conditions:
        if len(conditions) > MAX_RULES:
            out.append(_too_many(f"{at}.onPodConditions", len(conditions), MAX_RULES))
        for j, pattern in enumerate(conditions):
            status = (pattern or {}).get("status") or ""
            path = f"{at}.onPodConditions[{j}].status"
            if status == "":
                out.append(_required(path, f"valid values: {_go_list(CONDITION_STATUSES)}"))
            elif status not in CONDITION_STATUSES:
                out.append(_not_supported(path, status, CONDITION_STATUSES))
    if exit_codes is not None and conditions:
        out.append(
            ("FieldValueInvalid", at, "Invalid value: specifying both OnExitCodes and OnPodConditions is not supported")
        )
    if exit_codes is None and not conditions:
        out.append(
            ("FieldValueInvalid", at, "Invalid value: specifying one of OnExitCodes and OnPodConditions is required")
        )
    return out


def _on_exit_codes(req: dict[str, Any], at: str, names: set[Any]) -> list[Cause]:
    out: list[Cause] = []
    operator = req.get("operator") or ""
    if operator == "":
        out.append(_required(f"{at}.operator", f"valid values: {_go_list(OPERATORS)}"))
    elif operator not in OPERATORS:
        out.append(_not_supported(f"{at}.operator", operator, OPERATORS))
    container = req.get("containerName")
    if container is not None and container not in names:
        out.append(
            _invalid(
                f"{at}.containerName",
                json.dumps(container),
                "must be one of the container or initContainer names in the pod template",
            )
        )
    values = req.get("values")
    if not values:
        out.append(_invalid(f"{at}.values", _int32_slice(values), "at least one value is required"))
    elif len(values) > MAX_EXIT_CODES:
        out.append(_too_many(f"{at}.values", len(values), MAX_EXIT_CODES))
    seen: set[int] = set()
    ordered = True
    for j, value in enumerate(values or []):
        if operator == "In" and value == 0:
            out.append(_invalid(f"{at}.values[{j}]", "0", "must not be 0 for the In operator"))
        if value in seen:
            out.append(("FieldValueDuplicate", f"{at}.values[{j}]", f"Duplicate value: {value}"))
        seen.add(value)
        if j > 0 and values[j - 1] > value:
            ordered = False
    if not ordered:
        out.append(_invalid(f"{at}.values", _int32_slice(values), "must be ordered"))
    return out


def _success_policy(spec: dict[str, Any], policy: dict[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    rules = policy.get("rules") if isinstance(policy.get("rules"), list) else []
    if not rules:
        out.append(
            _required(
                "spec.successPolicy.rules", "at least one rules must be specified when the successPolicy is specified"
            )
        )
    if len(rules) > MAX_RULES:
        out.append(_too_many("spec.successPolicy.rules", len(rules), MAX_RULES))
    completions = int(spec.get("completions") or 0)
    for i, rule in enumerate(rules):
        at = f"spec.successPolicy.rules[{i}]"
        rule = rule if isinstance(rule, dict) else {}
        count, indexes = rule.get("succeededCount"), rule.get("succeededIndexes")
        if count is None and indexes is None:
            out.append(_required(at, "at least one of succeededCount or succeededIndexes must be specified"))
        if count is not None and count < 0:
            out.append(_invalid(f"{at}.succeededCount", str(count), "must be greater than or equal to 0"))
        if count is not None and count > completions:
            out.append(
                _invalid(
                    f"{at}.succeededCount",
                    str(count),
                    f"must be less than or equal to {completions} (the number of specified completions)",
                )
            )
    return out


def _success_policy_value(policy: dict[str, Any]) -> str:
    """Go's %#v of the internal batch.SuccessPolicy. Its rules' fields are pointers, which Go
    prints as addresses that change with every request; the emulator prints 0xc000000000 for a
    set one."""

    def ptr(kind: str, value: Any) -> str:
        return f"(*{kind})(nil)" if value is None else f"(*{kind})(0xc000000000)"

    rules = [
        f"batch.SuccessPolicyRule{{SucceededIndexes:{ptr('string', r.get('succeededIndexes'))}, "
        f"SucceededCount:{ptr('int32', r.get('succeededCount'))}}}"
        for r in policy.get("rules") or []
        if isinstance(r, dict)
    ]
    inner = "[]batch.SuccessPolicyRule{" + ", ".join(rules) + "}" if rules else "[]batch.SuccessPolicyRule(nil)"
    return f"batch.SuccessPolicy{{Rules:{inner}}}"
