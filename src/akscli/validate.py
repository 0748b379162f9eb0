"""Validators for every value a user types.

Each validator returns the normalised value or raises ``UsageError`` whose message names the
value and what was wrong, and whose hint gives the accepted form with an example. Nothing is
rendered or sent to a server before its inputs have passed through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError

if TYPE_CHECKING:
    from decimal import Decimal
    from pathlib import Path

# Patterns, compiled on first use by re's own cache (re.fullmatch(pattern, text)): a command
# compiles only those it checks, instead of all of them at every start-up.
# A DNS-1123 label, ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (kubernetes/apimachinery
# pkg/util/validation/validation.go dns1123LabelFmt), checked by its characters and its ends: every
# command that takes a name checks one, and the pattern is 0.4 M instructions to compile.
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_QUANTITY = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
# A Docker reference: [registry[:port]/]path[:tag][@digest], lower-case path components.
_IMAGE = (
    r"^(?:(?P<registry>localhost(?::[0-9]+)?|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+(?::[0-9]+)?"
    r"|[a-zA-Z0-9-]+:[0-9]+)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)
_TAINT = r"^(?P<key>[^=:]+)(?:=(?P<value>[^:]*))?:(?P<effect>NoSchedule|PreferNoSchedule|NoExecute)$"
# Each suffix's factor, as the argument of Decimal(): decimal is imported by quantity_value
# alone (its import is a few milliseconds every other command would pay).
_QUANTITY_FACTORS: dict[str, str | int] = {
    "": 1,
    "n": "1e-9",
    "u": "1e-6",
    "m": "1e-3",
    "k": "1e3",
    "M": "1e6",
    "G": "1e9",
    "T": "1e12",
    "P": "1e15",
    "E": "1e18",
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


# The values Go's strconv.ParseBool reads (Go's strconv/atob.go): a Go program's bool flags
# (pflag, the flag package) take them, kubectl's among them.
GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def go_bool(value: str, flag: str) -> bool:
    """The value of a bool flag given as ``FLAG=VALUE``, read as kubectl's flag parser reads it
    (upstream: spf13/pflag v1.0.5 bool.go, boolValue.Set: strconv.ParseBool)."""
    if value in GO_BOOLS:
        return GO_BOOLS[value]
    raise _fail(
        f"{flag} value",
        value,
        f"not a bool (one of {', '.join(GO_BOOLS)})",
        f"use {flag}, {flag}=true or {flag}=false",
    )


def _fail(what: str, value: object, problem: str, form: str | None) -> UsageError:
    # A float flag's whole number is echoed as typed (--budget -5), not as Python prints it (-5.0).
    text = str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)
    shown = text if len(text) <= 80 else f"{text[:77]}..."
    return UsageError(f"invalid {what} {shown!r}: {problem}", hint=form)


def name(value: str, what: str = "name", max_len: int = 63) -> str:
    """A DNS-1123 label: what Kubernetes accepts for most object names."""
    if not isinstance(value, str) or not value:
        raise _fail(what, value, "it is empty", "use lower-case letters, digits and '-', e.g. my-model")
    if len(value) > max_len:
        raise _fail(what, value, f"it is {len(value)} characters long, at most {max_len} allowed", "shorten it")
    if value[0] == "-" or value[-1] == "-" or not _LABEL_CHARS.issuperset(value):
        raise _fail(
            what,
            value,
            "it must be lower-case letters, digits and '-', starting and ending with a letter or digit",
            f"for example: {_nearest_label(value, max_len) or 'llama-3-8b'}",
        )
    return value


def _nearest_label(value: str, max_len: int) -> str:
    """The DNS-1123 label closest to what was typed (lower case, every run of other characters as
    one '-'), so the hint shows the user's own name in the form that works: 'Bad_Stage' -> 'bad-stage'.
    Empty when nothing of it is left."""
    return re.sub("[^a-z0-9]+", "-", value.lower()).strip("-")[:max_len].rstrip("-")


def subdomain(value: str, what: str = "name") -> str:
    """A DNS-1123 subdomain (names of ConfigMaps, Secrets, CRDs...)."""
    if not value or len(value) > 253 or not re.fullmatch(_DNS1123_SUBDOMAIN, value):
        raise _fail(
            what,
            value,
            "it must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)",
            f"for example: {_nearest_subdomain(value) or 'example.com'}",
        )
    return value


def _nearest_subdomain(value: str) -> str:
    """The DNS-1123 subdomain closest to what was typed, as _nearest_label does for each of its
    dot-separated labels ('Bad_Name' -> 'bad-name', 'My.Host' -> 'my.host'); empty when nothing of
    it is left, and then the hint shows apimachinery's own example (kubernetes/apimachinery
    pkg/util/validation/validation.go IsDNS1123Subdomain: RegexError(..., "example.com"))."""
    labels = (_nearest_label(part, 63) for part in str(value).split("."))
    return ".".join(label for label in labels if label)[:253].rstrip("-.")


def is_label_key(value: str) -> bool:
    """apimachinery's IsQualifiedName (akscli.kube.label_validation)."""
    return not _label_key_errors(value)


def is_label_value(value: str) -> bool:
    """apimachinery's IsValidLabelValue (akscli.kube.label_validation)."""
    return not _label_value_errors(value)


def _label_key_errors(value: str) -> tuple[str, ...]:
    from akscli.kube import label_validation, selectors  # imported where a label is checked

    return label_validation.label_key_errors(value, selectors.GRAMMAR_VERSION)


def _label_value_errors(value: str) -> tuple[str, ...]:
    from akscli.kube import label_validation, selectors  # imported where a label is checked

    return label_validation.label_value_errors(value, selectors.GRAMMAR_VERSION)


def label_key(value: str, what: str = "label key") -> str:
    errors = _label_key_errors(value)
    if any(not e.startswith("name part ") for e in errors):  # the prefix, or more than one '/'
        raise _fail(what, value, "its prefix must be a DNS subdomain", "for example: example.com/team")
    if errors:
        raise _fail(what, value, "its name must be at most 63 alphanumerics, '-', '_' or '.'", "for example: team")
    return value


def label_value(value: str, what: str = "label value") -> str:
    if not is_label_value(value):
        raise _fail(
            what,
            value,
            "it must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
            f"for example: {_nearest_label_value(value) or 'ml-platform'}",
        )
    return value


def _nearest_label_value(value: str) -> str:
    """The label value closest to what was typed, as _nearest_label does for a name: every run of
    other characters as one '-', trimmed to an alphanumeric at each end and 63 characters
    (kubernetes/apimachinery pkg/util/validation/validation.go IsValidLabelValue:
    (([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?): 'b: c' -> 'b-c'. Empty when nothing is left."""
    dashed = re.sub("[^A-Za-z0-9_.-]+", "-", str(value))
    return re.sub("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", re.sub("^[^A-Za-z0-9]+", "", dashed)[:63])


def labels(
    pairs: Iterable[str], what: str = "label", reserved: tuple[str, ...] = (), reserved_by: str = ""
) -> dict[str, str]:
    """Parse ``key=value`` pairs (each may also hold several, comma-separated); a key under one of
    the ``reserved`` prefixes (those ``reserved_by`` sets itself) is refused."""
    result: dict[str, str] = {}
    for pair in pairs:
        for item in (p for p in pair.split(",") if p):
            key, eq, val = item.partition("=")
            if not eq:
                raise _fail(what, item, "it has no '='", "use key=value, e.g. team=ml")
            result[label_key(key.strip(), f"{what} key")] = label_value(val.strip(), f"{what} value")
    for key in result:
        unreserved_label(key, what, reserved, reserved_by)
    return result


def unreserved_label(key: str, what: str, reserved: tuple[str, ...], reserved_by: str) -> str:
    """``key`` unless it is under one of the ``reserved`` prefixes (labels ``reserved_by`` sets itself),
    which a user may neither set nor remove."""
    if key.startswith(reserved):
        prefix = next(p for p in reserved if key.startswith(p))
        raise UsageError(
            f"{what} {key} uses the prefix {prefix}, kept for labels set by {reserved_by}",
            hint="use a prefix of your own, e.g. example.com/team=ml",
        )
    return key


def label_selector(value: str, what: str = "label selector") -> str:
    """A label selector (-l), read as the API server reads it (akscli/kube/selectors.py, a port
    of kubernetes/apimachinery pkg/labels/selector.go Parse): a selector the server would refuse
    with 400 is refused here, naming the part that is wrong. The value sent is the one typed,
    trimmed as kubectl trims it (cli-runtime resource/builder.go LabelSelectorParam); a blank
    one selects everything ("")."""
    from akscli.kube import selectors

    text = value.strip()
    try:
        selectors.parse_labels(text)
    except selectors.SelectorError as exc:
        raise _fail(what, value, exc.problem, exc.hint) from None
    return text


def quantity(value: str | int | float, what: str = "quantity") -> str:
    """A Kubernetes resource quantity such as 500m, 2, 16Gi or 1e3."""
    text = str(value).strip()
    if not re.fullmatch(_QUANTITY, text):
        raise _fail(
            what, value, "it is not a Kubernetes quantity", "use a number with an optional suffix: 500m, 2, 16Gi, 512Mi"
        )
    return text


def quantity_value(value: str, what: str = "quantity") -> Decimal:
    """The numeric value of a quantity (bytes for Gi, cores for m)."""
    from decimal import Decimal, InvalidOperation

    text = quantity(value, what)
    match = re.match(r"^([+]?[0-9.]+)(.*)$", text)
    assert match is not None
    number, suffix = match.groups()
    try:
        if suffix and suffix[0] in "eE":
            return Decimal(number + suffix)
        return Decimal(number) * Decimal(_QUANTITY_FACTORS[suffix])
    except (InvalidOperation, KeyError) as exc:
        raise _fail(what, value, "it is not a Kubernetes quantity", "for example: 16Gi") from exc


def image(value: str, what: str = "image") -> str:
    """A container image reference: [registry/]repository[:tag][@sha256:digest], whose repository
    path (the name less its registry) is at most 255 characters (upstream: distribution/reference
    reference.go, Parse: ``len(repo.path) > RepositoryNameTotalLengthMax`` (255) is ErrNameTooLong,
    "repository name must not be more than 255 characters")."""
    form = "use [registry/]repository[:tag][@sha256:digest], e.g. vllm/vllm-openai:v0.11.0"
    match = re.fullmatch(_IMAGE, value) if value and len(value) <= 512 else None
    if match is None:
        raise _fail(what, value, "it is not a container image reference", form)
    if len(match.group("path")) > 255:
        raise _fail(what, value, "its repository name is more than 255 characters", form)
    return value


def integer(value: Any, what: str, lo: int | None = None, hi: int | None = None, *, hint: str | None = None) -> int:
    """A whole number within [lo, hi]; ``hint`` is the hint of a value out of range (by default
    the nearest bound: the error line names the range, and saying it twice helps nobody)."""
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise _fail(what, value, "it is not a whole number", "for example: 2") from exc
    _check_range(number, what, value, lo, hi, hint)
    return number


def tail(value: int | None) -> int | None:
    """Every logs command's ``--tail`` (model logs, ray job logs, ray cluster logs), one rule, as
    kubectl logs reads it: the last N lines, 0 for none, or None for every line: left out, or -1,
    the default of kubectl logs' --tail, which it takes as "all" and refuses below (upstream:
    kubernetes/kubectl pkg/cmd/logs/logs.go, Validate: "--tail must be greater than or equal to -1";
    ToLogOptions sends TailLines for any value but -1, 0 included), so a kubectl user's
    ``--tail=-1`` and ``--tail 0`` work here too."""
    if value is None or value == -1:
        return None
    number = integer(value, "--tail")
    if not 0 <= number <= 1_000_000:
        # -1 is taken too: the range says so, not only the hint.
        raise _fail(
            "--tail",
            value,
            "it must be -1 or between 0 and 1000000",
            "-1 shows every line, as kubectl logs --tail=-1 does",
        )
    return number


def percent(value: str, what: str, lo: int = 0, hi: int = 100) -> int:
    """``N%`` within [lo, hi]: the error names the value as typed and the nearest bound with its
    ``%`` (a bare number is a count of its own where a flag takes either)."""
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]+%", text):
        raise _fail(what, value, "it is not a whole-number percentage", f"for example: {max(lo, 25)}%")
    number = int(text[:-1])
    if number < lo or number > hi:
        nearest = lo if number < lo else hi
        raise _fail(what, value, f"it must be between {lo}% and {hi}%", f"the nearest value accepted is {nearest}%")
    return number


def number(value: Any, what: str, lo: float | None = None, hi: float | None = None) -> float:
    example = f"for example: {_example_number(lo, hi):g}"
    try:
        result = float(str(value).strip())
    except ValueError as exc:
        raise _fail(what, value, "it is not a number", example) from exc
    if result != result or result in (float("inf"), float("-inf")):
        raise _fail(what, value, "it is not a finite number", example)
    _check_range(result, what, value, lo, hi)
    return result


def _example_number(lo: float | None, hi: float | None) -> float:
    """A number the range accepts, for the hint of a value that is no number: 0.9 where it fits,
    else the bound it lies beyond (--budget, from 1, shows 1, not a value it would refuse)."""
    if lo is not None and lo > 0.9:
        return lo
    if hi is not None and hi < 0.9:
        return hi
    return 0.9


def _check_range(n: float, what: str, raw: Any, lo: float | None, hi: float | None, hint: str | None = None) -> None:
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        bounds = (
            f"between {lo} and {hi}"
            if lo is not None and hi is not None
            else (f"at least {lo}" if lo is not None else f"at most {hi}")
        )
        nearest = lo if lo is not None and n < lo else hi
        raise _fail(what, raw, f"it must be {bounds}", hint or f"the nearest value accepted is {nearest}")


def choice(value: str, choices: Sequence[str], what: str, *, case_sensitive: bool = False) -> str:
    """One of ``choices``; returns the canonical spelling."""
    for option in choices:
        if value == option or (not case_sensitive and value.lower() == option.lower()):
            return option
    raise _fail(what, value, "it is not one of the accepted values", "use one of: " + ", ".join(choices))


def duration(value: str, what: str = "duration") -> float:
    """Seconds of a duration as kubectl reads --request-timeout: whole seconds (30) or a Go duration
    (1.5s, 500ms, 1h30m; units ns, us, ms, s, m, h), client-go's ParseTimeout (akscli.durations).
    kubectl wait's --timeout takes only the Go form; a bare whole number is taken there too. A bare
    fraction (1.5) and a negative value are refused, in one line that names the forms."""
    from akscli.durations import go_duration, kubectl_timeout

    text = str(value).strip()
    seconds = kubectl_timeout(text)
    if seconds is None:
        # Go refuses a duration past an int64 of nanoseconds ("99999999h"), yet it is a duration:
        # read it unbounded, so the line below says it is too long (or negative), not malformed.
        seconds = go_duration(text, bounded=False)
        digits = text.removeprefix("+")
        if seconds is None and digits.isascii() and digits.isdigit():
            seconds = float(digits)  # inf past a float: still "longer than a year"
    if seconds is None or seconds < 0:
        problem = "it is negative" if seconds is not None else "it is not a duration"
        raise _fail(what, value, f"{problem}: {DURATION_FORMS}", "for example: 30s, 1.5s, 500ms, 10m or 1h30m")
    return _bounded_duration(seconds, what, value)


def request_timeout(value: str) -> float:
    """Seconds of --request-timeout as kubectl reads it: ``duration``'s forms, and a negative Go duration
    (``-1s``), given back as read: no timeout on the client, as 0, yet sent to the server as typed
    (``timeout=-1s``), which then bounds the request by its own maximum (Kube; upstream:
    kubernetes/client-go 32ce75a7 tools/clientcmd/helpers.go ParseTimeout takes it through
    time.ParseDuration; rest/transport.go HTTPClientFor and Go's http.Client bound a request only where
    Timeout > 0, rest/request.go ``request`` adds its context timeout only where ``r.timeout > 0`` and
    URL sets the ``timeout`` query where ``r.timeout != 0``). A negative number without a unit (``-1``)
    is refused, as ParseTimeout refuses it ("Invalid timeout value")."""
    from akscli.durations import kubectl_timeout

    seconds = kubectl_timeout(str(value).strip())
    return seconds if seconds is not None and seconds < 0 else duration(value, "--request-timeout")


def wait_timeout(value: str) -> str:
    """--timeout of a --wait as kubectl wait reads its --timeout: a negative Go duration (``-1s``) waits
    a week, given back as ``168h`` (upstream: kubernetes/kubectl dee3483a pkg/cmd/wait/wait.go
    ToOptions, ``if effectiveTimeout < 0 { effectiveTimeout = 168 * time.Hour }``; the flag's help:
    "negative means wait for a week"). Anything else is ``duration``'s, checked and given back as
    typed; a negative number without a unit (``-1``) stays refused, as Go's time.ParseDuration refuses
    it ("missing unit in duration")."""
    from akscli.durations import go_duration

    seconds = go_duration(str(value).strip())
    if seconds is not None and seconds < 0:
        return "168h"
    duration(value, "--timeout")
    return value


DURATION_FORMS = "give whole seconds (30) or a number with a unit, ns, us, ms, s, m or h (1.5s, 1h30m)"
MAX_DURATION = 366 * 24 * 3600.0  # a year: longer is a typo (1e26h), and overflows the fields it fills


def _bounded_duration(seconds: float, what: str, value: str) -> float:
    if not seconds < MAX_DURATION:  # also refuses inf and nan
        raise _fail(what, value, "it is longer than a year", "use for example 90s, 10m or 24h")
    return seconds


def taint(value: str, what: str = "taint") -> dict[str, str]:
    """``key[=value]:Effect`` as kubectl taint and az aks use it; ``what`` names it in a refusal."""
    match = re.fullmatch(_TAINT, value.strip())
    if not match:
        head, colon, effect = value.strip().rpartition(":")
        if colon and head and effect and ":" not in head:
            # kubernetes/kubernetes pkg/util/taints/taints.go validateTaintEffect: "invalid taint
            # effect: %v, unsupported taint effect"; the hint keeps the key and value as typed.
            raise _fail(
                what,
                value,
                f"its effect {effect!r} is not NoSchedule, PreferNoSchedule or NoExecute",
                f"for example: {head}:NoSchedule",
            )
        raise _fail(what, value, "it is not key[=value]:Effect", "for example: nvidia.com/gpu=present:NoSchedule")
    key = label_key(match["key"], "taint key")
    result = {"key": key, "effect": match["effect"]}
    if match["value"]:
        result["value"] = label_value(match["value"], "taint value")
    return result


# AKS keeps customer pods off the system pool with this taint; Deployment Safeguards (on, Enforce, in
# AKS Automatic) strips it from, or warns on, any other node: MicrosoftDocs/azure-aks-docs
# articles/aks/deployment-safeguards.md ("Reserved System Pool Taints", "Taint with key
# CriticalAddonsOnly is reserved for the system pool only"); Azure/azure-policy
# built-in-policies/policyDefinitions/Kubernetes/AKS_GuardrailsReservedSystemPoolTaints.json (kinds Node).
SYSTEM_POOL_TAINT = "CriticalAddonsOnly"


def user_pool_taint(value: str, what: str = "taint") -> dict[str, str]:
    """A taint for nodes that run user pods: ``taint`` that refuses the system pool's reserved key."""
    parsed = taint(value, what)
    if parsed["key"] == SYSTEM_POOL_TAINT:
        raise _fail(
            what,
            value,
            f"{SYSTEM_POOL_TAINT} is reserved for the system pool (Deployment Safeguards removes it elsewhere)",
            "drop it: only a System-mode pool (nodepool add --mode System) may carry it",
        )
    return parsed


def text(value: str, what: str, max_len: int = 1024, *, multiline: bool = False) -> str:
    """Free text that ends up inside a manifest (descriptions, commands, prompts)."""
    if len(value) > max_len:
        raise _fail(what, value, f"it is longer than {max_len} characters", "shorten it")
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise _fail(what, value, "it is not valid Unicode text (lone surrogate)", "remove it")
        if (code < 0x20 and not (multiline and ch in "\n\t")) or code == 0x7F:
            raise _fail(what, value, f"it holds the control character U+{code:04X}", "remove it")
    return value


def env_name(value: str, what: str = "environment variable name") -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", value):
        raise _fail(what, value, "it is not a valid environment variable name", "for example: HF_HOME")
    return value


def existing_file(value: str, what: str = "file") -> Path:
    # pathlib here, not at the top: every command loads this module, and pathlib (with
    # urllib.parse, fnmatch, ntpath) is 4.7 M instructions of a fast-path command that reads no file.
    from pathlib import Path

    path = Path(value).expanduser()
    if not path.is_file():
        raise UsageError(f"{what} {value!r} does not exist or is not a file", hint="check the path")
    return path
