"""Label keys and values, checked as the API server checks them: apimachinery's IsQualifiedName and
IsValidLabelValue with their messages, for the selectors of ``akscli.kube.selectors``.

A port of kubernetes/apimachinery at kubernetes-1.32.0 (59e9003f) pkg/util/validation/
validation.go: IsQualifiedName (a label key), IsValidLabelValue, IsDNS1123Subdomain, and their
messages (RegexError, MaxLenError, EmptyError). Plain Python: no kubernetes client, no typer.
"""

from __future__ import annotations

import functools
import re

# pkg/util/validation/validation.go (kubernetes-1.32.0)
_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
_VALUE_FMT = f"({_QNAME_FMT})?"
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = rf"{_DNS1123_LABEL_FMT}(\.{_DNS1123_LABEL_FMT})*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_MAX_NAME, _MAX_VALUE, _MAX_SUBDOMAIN = 63, 63, 253


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # upstream: validation.go RegexError (its "', " then " or " gives the double space)
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    listed = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {listed}regex used for validation is '{fmt}')"


def _dns1123_subdomain_errors(value: str) -> list[str]:
    errs = []
    if len(value.encode()) > _MAX_SUBDOMAIN:
        errs.append(f"must be no more than {_MAX_SUBDOMAIN} characters")
    if not re.fullmatch(_DNS1123_SUBDOMAIN_FMT, value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


@functools.lru_cache(maxsize=4096)
def label_key_errors(key: str) -> tuple[str, ...]:
    """upstream: validation.go IsQualifiedName. Cached: a selector met on every pod of a list is
    checked once."""
    parts = key.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += [f"prefix part {m}" for m in _dns1123_subdomain_errors(prefix)]
    else:
        example = _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
        prefixed = "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        return (f"a qualified name {example} {prefixed}",)
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > _MAX_NAME:
        errs.append(f"name part must be no more than {_MAX_NAME} characters")
    if not re.fullmatch(_QNAME_FMT, name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return tuple(errs)


@functools.lru_cache(maxsize=4096)
def label_value_errors(value: str) -> tuple[str, ...]:
    """upstream: validation.go IsValidLabelValue (cached)."""
    errs = []
    if len(value.encode()) > _MAX_VALUE:
        errs.append(f"must be no more than {_MAX_VALUE} characters")
    if not re.fullmatch(_VALUE_FMT, value):
        errs.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return tuple(errs)
