"""The API server's validation of a CronJob: its schedule, timeZone, concurrencyPolicy, history
limits and name, and its jobTemplate checked as a Job's spec is (restartPolicy, the per-index and
success policies, the pod template's containers), in upstream's order and wording.

upstream: kubernetes/kubernetes pkg/apis/batch/validation/validation.go ValidateCronJobCreate,
ValidateCronJobUpdate, validateCronJobSpec, validateScheduleFormat, validateTimeZone,
validateConcurrencyPolicy, ValidateJobTemplateSpec (read through the code index; the repository
is too large to fetch here). The schedule is parsed as robfig/cron v3 parser.go does it
(ParseStandard: Parse, normalizeFields, getField, getRange, parseIntOrName, mustParseInt,
parseDescriptor), which validateScheduleFormat calls; its error text is the Invalid detail."""

from __future__ import annotations

import json
import re
import zoneinfo
from typing import Any

from tests.emulators.kube import job_validation, pod_template_validation

Cause = tuple[str, str, str]

CONCURRENCY = ["Allow", "Forbid", "Replace"]
MAX_NAME = 52  # DNS1035LabelMaxLength - 11: the controller appends -$TIMESTAMP to a Job's name
DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
# robfig/cron v3 spec.go: the bounds of each field and the names they take (lowercased)
MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTHS = {m: i + 1 for i, m in enumerate(MONTH_NAMES)}
DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
FIELDS: list[tuple[int, int, dict[str, int]]] = [(0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, MONTHS), (0, 6, DAYS)]
# upstream validTimeZoneCharacters
TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")
GO_DURATION = re.compile(r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+)$")


def defaults(spec: dict[str, Any]) -> None:
    """upstream: kubernetes/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_CronJob (the
    jobTemplate's spec gets no SetDefaults_Job: that function takes a Job)."""
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)


def causes(obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """ValidateCronJobCreate (``old`` None) or ValidateCronJobUpdate's spec errors."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    old_spec = (old or {}).get("spec") if old is not None else None
    old_spec = old_spec if isinstance(old_spec, dict) else ({} if old is not None else None)
    out: list[Cause] = []
    schedule = spec.get("schedule") or ""
    if not schedule:
        out.append(("FieldValueRequired", "spec.schedule", "Required value"))
    else:
        allow_tz = old_spec is not None and "TZ" in str(old_spec.get("schedule") or "")
        out += _schedule_causes(schedule, allow_tz, spec.get("timeZone"))
    out += _nonnegative(spec, "startingDeadlineSeconds")
    if old_spec is None or old_spec.get("timeZone") != spec.get("timeZone"):
        out += _time_zone_causes(spec.get("timeZone"))
    policy = spec.get("concurrencyPolicy") or ""
    if policy == "":
        out.append(("FieldValueRequired", "spec.concurrencyPolicy", "Required value"))
    elif policy not in CONCURRENCY:
        supported = ", ".join(json.dumps(v) for v in CONCURRENCY)
        out.append(
            (
                "FieldValueNotSupported",
                "spec.concurrencyPolicy",
                f"Unsupported value: {json.dumps(policy)}: supported values: {supported}",
            )
        )
    template = spec.get("jobTemplate") if isinstance(spec.get("jobTemplate"), dict) else {}
    job_spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    out += job_template_causes(job_spec, "spec.jobTemplate.spec")
    out += _nonnegative(spec, "successfulJobsHistoryLimit")
    out += _nonnegative(spec, "failedJobsHistoryLimit")
    name = str((obj.get("metadata") or {}).get("name") or "")
    if old is None and len(name) > MAX_NAME:
        # on create only: an older CronJob with a longer name can still be updated and deleted
        out.append(
            (
                "FieldValueInvalid",
                "metadata.name",
                f"Invalid value: {json.dumps(name)}: must be no more than 52 characters",
            )
        )
    return out


def job_template_causes(spec: dict[str, Any], at: str) -> list[Cause]:
    """ValidateJobTemplateSpec: validateJobSpec (the Job's own fields, the pod template, the
    restartPolicy), then the selector the Job will get generated and manualSelector."""
    out = job_validation.causes(spec, at)
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    pod_spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    if not pod_spec.get("containers"):
        out.append(("FieldValueRequired", f"{at}.template.spec.containers", "Required value"))
    # each container's name, image and resources in validateContainerCommon's order (upstream:
    # kubernetes/kubernetes 000f2605 pkg/apis/core/validation/validation.go; pod_template_validation)
    out += pod_template_validation.causes(f"{at}.template.spec", pod_spec)
    out += job_validation.restart_causes(spec, at)
    selector = spec.get("selector")
    if selector is not None:
        # the field printed through json.Marshal of the *metav1.LabelSelector (ErrorBody)
        shown = json.dumps(_go_selector(selector), separators=(",", ":"))
        out.append(
            ("FieldValueInvalid", f"{at}.selector", f"Invalid value: {shown}: `selector` will be auto-generated")
        )
    if spec.get("manualSelector") is True:
        out.append(
            (
                "FieldValueNotSupported",
                f"{at}.manualSelector",
                'Unsupported value: true: supported values: "nil", "false"',
            )
        )
    return out


def _go_selector(selector: Any) -> Any:
    """metav1.LabelSelector's JSON: matchLabels, then matchExpressions, empty ones omitted."""
    if not isinstance(selector, dict):
        return selector
    return {k: selector[k] for k in ("matchLabels", "matchExpressions") if selector.get(k)}


def _nonnegative(spec: dict[str, Any], name: str) -> list[Cause]:
    value = spec.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [("FieldValueInvalid", f"spec.{name}", f"Invalid value: {value}: must be greater than or equal to 0")]
    return []


def _schedule_causes(schedule: str, allow_tz: bool, time_zone: Any) -> list[Cause]:
    """validateScheduleFormat: cron.ParseStandard's error, then the TZ rules."""
    out: list[Cause] = []
    shown = json.dumps(schedule)
    error = parse_error(schedule)
    if error is not None:
        out.append(("FieldValueInvalid", "spec.schedule", f"Invalid value: {shown}: {error}"))
    if allow_tz and "TZ" in schedule and time_zone is not None:
        detail = "cannot use both timeZone field and TZ or CRON_TZ in schedule"
        out.append(("FieldValueInvalid", "spec.schedule", f"Invalid value: {shown}: {detail}"))
    elif not allow_tz and "TZ" in schedule:
        detail = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
        out.append(("FieldValueInvalid", "spec.schedule", f"Invalid value: {shown}: {detail}"))
    return out


def _time_zone_causes(time_zone: Any) -> list[Cause]:
    """validateTimeZone (the *string printed through json.Marshal)."""
    if time_zone is None:
        return []
    shown = json.dumps(time_zone)
    path = "spec.timeZone"
    if time_zone == "":
        return [("FieldValueInvalid", path, f"Invalid value: {shown}: timeZone must be nil or non-empty string")]
    for part in str(time_zone).split("/"):
        if part in (".", "..") or part.startswith("-") or not TZ_PART.match(part):
            return [("FieldValueInvalid", path, f"Invalid value: {shown}: unknown time zone {time_zone}")]
    out: list[Cause] = []
    if str(time_zone).lower() == "local":
        detail = "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
        out.append(("FieldValueInvalid", path, f"Invalid value: {shown}: {detail}"))
    elif time_zone != "UTC" and time_zone not in zoneinfo.available_timezones():
        # time.LoadLocation's error; "Local" loads, so it gets only the line above
        out.append(("FieldValueInvalid", path, f"Invalid value: {shown}: unknown time zone {time_zone}"))
    return out


def parse_error(spec: str) -> str | None:
    """robfig/cron v3's error for a standard spec (five fields or a descriptor), None when it parses."""
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space, eq = spec.find(" "), spec.find("=")
        location = spec[eq + 1 : space] if space > eq else spec[eq + 1 :]
        if location != "UTC" and location not in zoneinfo.available_timezones():
            return f"provided bad location {location}: unknown time zone {location}"
        spec = spec[space:].strip() if space > eq else ""
    if spec.startswith("@"):
        if spec in DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            duration = spec[len("@every ") :]
            if not GO_DURATION.match(duration):
                reason = "missing unit in duration" if re.fullmatch(r"[-+]?[0-9.]+", duration) else "invalid duration"
                return f"failed to parse duration {spec}: time: {reason} {json.dumps(duration)}"
            return None
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for text, (low, high, names) in zip(fields, FIELDS, strict=True):
        for expr in [e for e in text.split(",") if e]:
            error = _range_error(expr, low, high, names)
            if error is not None:
                return error
    return None


def _range_error(expr: str, low: int, high: int, names: dict[str, int]) -> str | None:
    """getRange: number | number "-" number [ "/" number ], or * and ?."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    parsed: list[int] = []
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        if len(low_and_high) > 2:
            first = _int_or_name(low_and_high[0], names)
            return first if isinstance(first, str) else f"too many hyphens: {expr}"
        for part in low_and_high:
            value = _int_or_name(part, names)
            if isinstance(value, str):
                return value
            parsed.append(value)
        start, end = parsed[0], parsed[-1]
    step = 1
    if len(range_and_step) == 2:
        value = _int_or_name(range_and_step[1], {})
        if isinstance(value, str):
            return value
        step = value
        if len(low_and_high) == 1:
            end = high
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return None


def _int_or_name(text: str, names: dict[str, int]) -> int | str:
    """parseIntOrName and mustParseInt: the number, or the error."""
    if text.lower() in names:
        return names[text.lower()]
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return f"failed to parse int from {text}: strconv.Atoi: parsing {json.dumps(text)}: invalid syntax"
    number = int(text)
    if number < 0:
        return f"negative number ({number}) not allowed: {text}"
    return number
