"""Label keys and values, checked as the API server checks them: apimachinery's IsQualifiedName and
IsValidLabelValue with their messages. The one check of a label key or value with upstream's
words: the selectors of ``akscli.kube.selectors`` and the KubeRay rules of
``akscli.ray.kuberay_rules`` both use it.

A port of kubernetes/apimachinery pkg/util/validation/validation.go at kubernetes-1.32.0
(59e9003f): IsQualifiedName (a label key), IsValidLabelValue, IsDNS1123Subdomain, and their
messages (RegexError, MaxLenError, EmptyError). From v0.35.0 those are pkg/api/validate/content
(kube.go IsLabelKey, IsLabelValue; dns.go; errors.go), which accepts and refuses exactly the same
keys and values (the same regexes, lengths and order of checks at v0.32.0 through v0.36.0) but
words two messages otherwise (3d653663): MaxLenError says "bytes", not "characters", and a key
with more than one '/' is "a valid label key", not "a qualified name".

So each check takes the Kubernetes minor whose words to give (``version``): the caller names
whose messages it repeats. A -l selector is read by the API server, so ``selectors`` gives the
words of the oldest version AKS supports (``selectors.GRAMMAR_VERSION``, the rule chosen in
docs/changes/audit24-selectors2.md); KubeRay reads a RayCluster's labels with the apimachinery its
own go.mod pins, so its rules give that version's words. Plain Python: no kubernetes client, no
typer.
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
# The first minor with pkg/api/validate/content's words (apimachinery v0.35.0, 3d653663).
_CONTENT_WORDS = (1, 35)


def _words(version: str) -> tuple[str, str]:
    """MaxLenError's unit and the name of a key with more than one '/' at Kubernetes ``version``
    ("1.32")."""
    major, _, minor = version.partition(".")
    if (int(major), int(minor)) >= _CONTENT_WORDS:
        return "bytes", "a valid label key"  # upstream: content/errors.go MaxLenError, content/kube.go IsLabelKey
    return "characters", "a qualified name"  # upstream: validation.go MaxLenError, IsQualifiedName


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # upstream: validation.go RegexError (its "', " then " or " gives the double space)
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    listed = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {listed}regex used for validation is '{fmt}')"


def _dns1123_subdomain_errors(value: str, unit: str) -> list[str]:
    errs = []
    if len(value.encode()) > _MAX_SUBDOMAIN:
        errs.append(f"must be no more than {_MAX_SUBDOMAIN} {unit}")
    if not re.fullmatch(_DNS1123_SUBDOMAIN_FMT, value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


@functools.lru_cache(maxsize=4096)
def label_key_errors(key: str, version: str) -> tuple[str, ...]:
    """upstream: validation.go IsQualifiedName (content/kube.go IsLabelKey from 1.35), in the words
    of Kubernetes ``version``. Cached: a selector met on every pod of a list is checked once."""
    unit, many_slashes = _words(version)
    parts = key.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += [f"prefix part {m}" for m in _dns1123_subdomain_errors(prefix, unit)]
    else:
        example = _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
        prefixed = "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        return (f"{many_slashes} {example} {prefixed}",)
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > _MAX_NAME:
        errs.append(f"name part must be no more than {_MAX_NAME} {unit}")
    if not re.fullmatch(_QNAME_FMT, name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return tuple(errs)


@functools.lru_cache(maxsize=4096)
def label_value_errors(value: str, version: str) -> tuple[str, ...]:
    """upstream: validation.go IsValidLabelValue (content/kube.go IsLabelValue from 1.35), in the
    words of Kubernetes ``version`` (cached)."""
    errs = []
    if len(value.encode()) > _MAX_VALUE:
        errs.append(f"must be no more than {_MAX_VALUE} {_words(version)[0]}")
    if not re.fullmatch(_VALUE_FMT, value):
        errs.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return tuple(errs)
