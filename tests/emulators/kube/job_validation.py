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
import re
from typing import Any

Cause = tuple[str, str, str]

ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"]  # sets.List(supportedPodFailurePolicyActions)
OPERATORS = ["In", "NotIn"]
CONDITION_STATUSES = ["False", "True", "Unknown"]
REPLACEMENT_POLICIES = ["Failed", "TerminatingOrFailed"]
MAX_RULES = 20  # maxPodFailurePolicyRules, maxSuccessPolicyRule
MAX_EXIT_CODES = 255  # maxPodFailurePolicyOnExitCodesValues
MAX_MANAGED_BY = 63  # maxManagedByLength
MAX_INDEXED_PARALLELISM = 100_000  # maxParallelismForIndexedJob
MAX_FAILED_INDEXES = 100_000  # maxFailedIndexesForIndexedJob
COMPLETIONS_SOFT_LIMIT = 100_000  # completionsSoftLimit
HIGH_COMPLETIONS_LIMIT = 10_000  # parallelismLimitForHighCompletions, maxFailedIndexesLimitForHighCompletions
MAX_SUCCEEDED_INDEXES = 64 * 1024  # maxJobSuccessPolicySucceededIndexesLimit
# validateJobSpec's ValidateNonnegativeField calls, in its order
NONNEGATIVE = (
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
)
# kubernetes/apimachinery pkg/util/validation/validation.go dns1123LabelFmt, dns1123SubdomainFmt, httpPathFmt
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"
HTTP_PATH = re.compile("^" + HTTP_PATH_FMT + "$")


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


def causes(spec: dict[str, Any], at: str = "spec") -> list[Cause]:
    """validateJobSpec's errors for the Job's own fields, in its order, but for the restartPolicy's
    (restart_causes), which come after the pod template's. ``at`` is the spec's path: a CronJob's
    jobTemplate is checked by the same function (ValidateJobTemplateSpec)."""
    out: list[Cause] = []
    for name in NONNEGATIVE:
        value = spec.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            out.append(_invalid(f"{at}.{name}", str(value), "must be greater than or equal to 0"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        out.append(_required(f"{at}.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    managed_by = spec.get("managedBy")
    if isinstance(managed_by, str):
        out += _domain_prefixed_path(f"{at}.managedBy", managed_by)
        if len(managed_by) > MAX_MANAGED_BY:
            out.append(
                ("FieldValueTooLong", f"{at}.managedBy", f"Too long: may not be more than {MAX_MANAGED_BY} bytes")
            )
    out += _completion_mode(spec, at)
    if not _indexed(spec):
        for name in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(name) is not None:
                out.append(_invalid(f"{at}.{name}", str(spec[name]), "requires indexed completion mode"))
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        out += _pod_failure_policy(spec, policy, at)
    success = spec.get("successPolicy")
    if isinstance(success, dict):
        if not _indexed(spec):
            out.append(
                _invalid(f"{at}.successPolicy", _success_policy_value(success), "requires indexed completion mode")
            )
        else:
            out += _success_policy(spec, success, at)
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        if isinstance(policy, dict):
            if replacement != "Failed":
                out.append(_not_supported(f"{at}.podReplacementPolicy", replacement, ["Failed"]))
        elif replacement not in REPLACEMENT_POLICIES:
            out.append(_not_supported(f"{at}.podReplacementPolicy", replacement, REPLACEMENT_POLICIES))
    return out


def _completion_mode(spec: dict[str, Any], at: str) -> list[Cause]:
    """The completionMode block of validateJobSpec: a supported mode, and for Indexed the
    completions it needs and the limits on parallelism and maxFailedIndexes."""
    mode = spec.get("completionMode")
    if mode is None:
        return []
    out: list[Cause] = []
    if mode not in ("NonIndexed", "Indexed"):
        out.append(_not_supported(f"{at}.completionMode", mode, ["NonIndexed", "Indexed"]))
    if mode != "Indexed":
        return out
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    max_failed, per_index = spec.get("maxFailedIndexes"), spec.get("backoffLimitPerIndex")
    if completions is None:
        out.append(_required(f"{at}.completions", "when completion mode is Indexed"))
    if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
        out.append(
            _invalid(
                f"{at}.parallelism",
                str(parallelism),
                f"must be less than or equal to {MAX_INDEXED_PARALLELISM} when completion mode is Indexed",
            )
        )
    if completions is not None and max_failed is not None and max_failed > completions:
        out.append(_invalid(f"{at}.maxFailedIndexes", str(max_failed), "must be less than or equal to completions"))
    if max_failed is not None and max_failed > MAX_FAILED_INDEXES:
        out.append(
            _invalid(f"{at}.maxFailedIndexes", str(max_failed), f"must be less than or equal to {MAX_FAILED_INDEXES}")
        )
    if completions is not None and completions > COMPLETIONS_SOFT_LIMIT and per_index is not None:
        high = f"when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"
        if max_failed is None:
            out.append(
                _required(
                    f"{at}.maxFailedIndexes", f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"
                )
            )
        if parallelism is not None and parallelism > HIGH_COMPLETIONS_LIMIT:
            out.append(
                _invalid(
                    f"{at}.parallelism",
                    str(parallelism),
                    f"must be less than or equal to {HIGH_COMPLETIONS_LIMIT} {high}",
                )
            )
        if max_failed is not None and max_failed > HIGH_COMPLETIONS_LIMIT:
            out.append(
                _invalid(
                    f"{at}.maxFailedIndexes",
                    str(max_failed),
                    f"must be less than or equal to {HIGH_COMPLETIONS_LIMIT} {high}",
                )
            )
    return out


def _domain_prefixed_path(path: str, value: str) -> list[Cause]:
    """kubernetes/apimachinery pkg/util/validation/validation.go IsDomainPrefixedPath."""
    if not value:
        return [("FieldValueRequired", path, "Required value")]
    host, _, rest = value.partition("/")
    if "/" not in value or not host or not rest:
        return [_invalid(path, json.dumps(value), 'must be a domain-prefixed path (such as "acme.io/foo")')]
    out: list[Cause] = []
    if len(host) > 253:
        out.append(_invalid(path, json.dumps(host), "must be no more than 253 characters"))
    if not SUBDOMAIN.match(host):
        out.append(_invalid(path, json.dumps(host), SUBDOMAIN_MSG))
    if not HTTP_PATH.match(rest):
        out.append(_invalid(path, json.dumps(rest), f"Invalid path (regex used for validation is '{HTTP_PATH_FMT}')"))
    return out


def restart_causes(spec: dict[str, Any], at: str = "spec") -> list[Cause]:
    """The template's restartPolicy, checked after ValidatePodTemplateSpec."""
    out: list[Cause] = []
    policy = spec.get("podFailurePolicy")
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    pod_spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    restart = pod_spec.get("restartPolicy") or ""
    path = f"{at}.template.spec.restartPolicy"
    # SetDefaults_PodSpec writes Always where the template gives none, so both are refused here
    if restart in ("Always", ""):
        out.append(_required(path, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        out.append(_not_supported(path, restart, ["OnFailure", "Never"]))
    elif isinstance(policy, dict) and restart != "Never":
        out.append(_invalid(path, json.dumps(restart), 'only "Never" is supported when podFailurePolicy is specified'))
    return out


def _pod_failure_policy(spec: dict[str, Any], policy: dict[str, Any], at: str) -> list[Cause]:
    out: list[Cause] = []
    rules = policy.get("rules") if isinstance(policy.get("rules"), list) else []
    if len(rules) > MAX_RULES:
        out.append(_too_many(f"{at}.podFailurePolicy.rules", len(rules), MAX_RULES))
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names = {
        c.get("name")
        for key in ("containers", "initContainers")
        for c in pod_spec.get(key) or []
        if isinstance(c, dict)
    }
    for i, rule in enumerate(rules):
        if isinstance(rule, dict):
            out += _pod_failure_rule(spec, rule, f"{at}.podFailurePolicy.rules[{i}]", names)
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


def _success_policy(spec: dict[str, Any], policy: dict[str, Any], at: str) -> list[Cause]:
    out: list[Cause] = []
    rules = policy.get("rules") if isinstance(policy.get("rules"), list) else []
    if not rules:
        out.append(
            _required(
                f"{at}.successPolicy.rules", "at least one rules must be specified when the successPolicy is specified"
            )
        )
    if len(rules) > MAX_RULES:
        out.append(_too_many(f"{at}.successPolicy.rules", len(rules), MAX_RULES))
    completions = int(spec.get("completions") or 0)
    for i, rule in enumerate(rules):
        rule_at = f"{at}.successPolicy.rules[{i}]"
        rule = rule if isinstance(rule, dict) else {}
        count, indexes = rule.get("succeededCount"), rule.get("succeededIndexes")
        if count is None and indexes is None:
            out.append(_required(rule_at, "at least one of succeededCount or succeededIndexes must be specified"))
        total = 0
        if isinstance(indexes, str):
            if len(indexes) > MAX_SUCCEEDED_INDEXES:
                out.append(
                    (
                        "FieldValueTooLong",
                        f"{rule_at}.succeededIndexes",
                        f"Too long: may not be more than {MAX_SUCCEEDED_INDEXES} bytes",
                    )
                )
            parsed = indexes_format(indexes, completions)
            if isinstance(parsed, str):
                out.append(
                    _invalid(
                        f"{rule_at}.succeededIndexes", json.dumps(indexes), f"error parsing succeededIndexes: {parsed}"
                    )
                )
            else:
                total = parsed
        if count is not None:
            if count < 0:
                out.append(_invalid(f"{rule_at}.succeededCount", str(count), "must be greater than or equal to 0"))
            if count > completions:
                out.append(
                    _invalid(
                        f"{rule_at}.succeededCount",
                        str(count),
                        f"must be less than or equal to {completions} (the number of specified completions)",
                    )
                )
            if indexes is not None and count > total:
                out.append(
                    _invalid(
                        f"{rule_at}.succeededCount",
                        str(count),
                        f"must be less than or equal to {total} (the number of indexes in the specified "
                        "succeededIndexes field)",
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


def indexes_format(text: str, completions: int) -> int | str:
    """validateIndexesFormat: the number of indexes in an interval list such as "1,3-5", or the
    error (parseIndexInterval's wording; Go's %q of a fragment is JSON's quoting here)."""
    if not text:
        return 0
    last: int | None = None
    total = 0
    for interval in text.split(","):
        parts = interval.split("-")
        if len(parts) > 2:
            return (
                f"the fragment {json.dumps(interval)} violates the requirement that an index interval can have at "
                "most two parts separated by '-'"
            )
        bounds: list[int] = []
        for part in parts:
            number = _atoi(part)
            if number is None:
                return f"cannot convert string to integer for index: {json.dumps(part)}"
            if number >= completions:
                return f"too large index: {json.dumps(part)}"
            bounds.append(number)
        low, high = bounds[0], bounds[-1]
        if len(bounds) == 2 and low >= high:
            return f"non-increasing order, previous: {low}, current: {high}"
        if last is not None and last >= low:
            return f"non-increasing order, previous: {last}, current: {low}"
        total += high - low + 1
        last = high
    return total


def _atoi(text: str) -> int | None:
    """Go's strconv.Atoi: an optional sign and decimal digits."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    return int(text)


def container_causes(path: str, container: dict[str, Any]) -> list[Cause]:
    """validateContainerCommon's name and image checks of one container (``path`` is its path; a
    template needs an image as a Pod does; upstream: kubernetes/kubernetes pkg/apis/core/
    validation/validation.go validateContainerCommon, ValidateDNS1123Label)."""
    out: list[Cause] = []
    name = container.get("name") or ""
    if not name:
        out.append(("FieldValueRequired", f"{path}.name", "Required value"))
    else:
        if len(name) > 63:
            out.append(_invalid(f"{path}.name", json.dumps(name), "must be no more than 63 characters"))
        if not LABEL.match(name):
            out.append(_invalid(f"{path}.name", json.dumps(name), LABEL_MSG))
    if not container.get("image"):
        out.append(("FieldValueRequired", f"{path}.image", "Required value"))
    return out
