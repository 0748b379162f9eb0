"""For akscli.redact: whether a text names a secret at all (``names_a_secret``, before it is read
pattern by pattern), whether a value under a name is hidden (``hidden``), and a Kubernetes field
error's value under a secret-named path (``hide_field_values``), whatever the value's type.

Only ``re``, akscli.placeholder_words and akscli.secret_words (offline commands import
akscli.redact)."""

from __future__ import annotations

import re

from akscli.placeholder_words import is_placeholder
from akscli.secret_words import holds_secret, is_object_name, is_secret_name, names_secrets

MASK = "***"

# The names akscli.redact._CREDENTIAL_HEADER reads, in lower case: a text without one is not read for it.
HEADER_MARKS = ("authorization", "api-key", "ocp-apim")
# A word, less a JSON escape's letter before it (``\npassword``: the name is ``password``).
_WORD = r"(?:\\[nrt])?([\w.-]+)"
# The part of a name that is_secret_name reads as a secret's, in lower case: each of its secret words
# but PAT (_PAT), and each of its pairs as a name writes it (``apikey``, ``api_key``, ``api-key``,
# ``api.key``; ``apiKey`` in lower case). A name with none of them is no secret's.
_SEPS = ("", "_", "-", ".")
WORD_MARKS = (
    *("pass", "pwd", "token", "secret", "credential", "sas"),
    *(f"{first}{sep}key" for first in ("api", "access", "private", "account", "shared", "master") for sep in _SEPS),
    *(f"connection{sep}string" for sep in _SEPS),
)
# PAT, a word: not the ``pat`` of ``path`` or ``pattern``.
_PAT = r"pat(?![a-z])"
# What a text must hold (in lower case) for a secret's name to be in it: is_secret_name's words.
NAME_MARKS = ("pass", "pwd", "token", "secret", "key", "credential", "auth", "sas", "pat", "connection")

# Fields named like a secret that hold the name of a Secret object, whose value (a Kubernetes name)
# an answer may quote: KAITO's ``modelAccessSecret`` ("the name of the secret that contains the
# huggingface access token": kaito-project/kaito api/v1beta1/workspace_types.go PresetOptions).
# akscli's own ``--access-secret NAME`` (its hints write it) names that Secret too.
_SECRET_OBJECT_FIELDS = frozenset({"modelaccesssecret", "access-secret"})


def hidden(name: str, value: str) -> bool:
    """A value under ``name`` that akscli.redact.hide_assignments writes as ``***``: holds_secret's
    rule, less a placeholder; the name read first (is_secret_name keeps its answers), as most names
    in a file or a message are no secret's."""
    if not is_secret_name(name) or is_placeholder(value):
        return False
    if name.lower() in _SECRET_OBJECT_FIELDS and is_object_name(value):
        return False
    return holds_secret(name, value)


# A field error's value (kubernetes/apimachinery pkg/util/validation/field/errors.go, commit
# 5db56492d70cf19e5eee3f0b16130d74adf40a8f: Error.Error ``"%s: %s", e.Field, e.ErrorBody()``), under a
# path (field/path.go Path.String: names joined by ".", an index or a map key as ``[k]``) whose last
# name is a secret's: ``spec.password: Invalid value: "hunter2": ...``, ``data[token]: ...``, alone or
# in an aggregate ``Kind "x" is invalid: [a, b]``; or the plural of one (``spec.tokens``, ``apiKeys``:
# akscli.secret_words.names_secrets) for a value that is no number. ErrorBody writes the value after
# "Invalid value", "Unsupported value", "Not found" and "Duplicate value" by its type:
# - a string with %q (_FIELD_VALUE). A CRD's OpenAPI or CEL rule quotes the value itself
#   (kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/
#   validation.go: ``value := obj`` unless an object or an array), or its schema type where it has none
#   (``field.Invalid(fldPath, sts.Type, ...)``): _SCHEMA_TYPES, which stay;
# - an int64, int32, float64, float32 or bool with %v (``Invalid value: 1234``, ``Invalid value:
#   true``): a number, of any length (a 4-digit PIN), is hidden where the path's last word names the
#   secret (``spec.password``, not ``spec.tokenTTL`` nor ``spec.tokens``, whose number is a quantity);
#   a boolean says nothing and stays;
# - any other type as ``json.Marshal`` writes it: a list ``["a","b"]``, a map ``{"k":"v"}``, nested
#   (_FIELD_OTHER and _json_end); ``null``, ``[]`` and ``{}`` stay;
# - where json.Marshal fails (an internal type, a map with struct keys, a channel in a struct) and the
#   value is no fmt.Stringer, Go's %#v: a composite literal, its type then its braces
#   (``v1.Creds{User:"a", Password:"x"}``, ``&v1.Creds{...}``, ``map[string]string{"k":"v"}``,
#   ``[]string{"a"}``: Go's fmt/print.go printValue, ``sharpV``), hidden to its closing brace
#   (_GO_COMPOSITE). A pointer's %#v (``(*v1.Creds)(0xc000...)``) is an address, and stays. (A
#   Stringer's own text has no shape to know its end by: not read.)
_PATH = r"""(?<![\w.\]-])([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]\s]*\])*): """
_KINDS = r"""(?:Invalid value|Unsupported value|Not found|Duplicate value): """
_FIELD_VALUE = _PATH + _KINDS + r"""(\\?")(.*?)(?<!\\)\2"""
_FIELD_OTHER = _PATH + _KINDS + r"""(?=[\[{0-9&A-Za-z_-])"""
_NUMBER = r"""-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?!\w|\.\w)"""
# A Go type as %#v writes it before a composite's braces (reflect.Type.String): ``&`` for a pointer to a
# struct, a map, a slice or an array at the top (print.go printValue, ``depth == 0``), ``[]`` or ``[N]``
# for a slice or an array, ``map[K]`` for a map, then a (package-qualified) type name with its type
# arguments (``pkg.List[string]``) or ``interface {}`` (``map[string]interface {}{"k":"v"}``).
_GO_ANY = r"""interface \{\}"""
_GO_COMPOSITE = (
    r"""&?(?:\[[0-9]*\]|map\[(?:""" + _GO_ANY + r"""|[^\]{}\s])*\]|\*)*"""
    r"""(?:""" + _GO_ANY + r"""|[A-Za-z_][\w.]*(?:\[[^\]{}\s]*\])?)\{"""
)
_SCHEMA_TYPES = frozenset({"string", "object", "array", "integer", "number", "boolean", "null"})


def hide_field_values(text: str) -> str:
    """``text`` with the value of each field error under a secret-named path (above) as ``***``,
    and a quoted string value wherever else it stands (a format's detail repeats it: ``must be of
    type uuid: "x"``)."""

    def field_value(m: re.Match[str]) -> str:
        names = _names(m.group(1))
        value = m.group(3)
        if not names or value in _SCHEMA_TYPES or not _hidden_string(names[-1], value):
            return m.group(0)
        quoted.append((m.group(2), value))
        start, end = m.start(3) - m.start(), m.end(3) - m.start()
        return m.group(0)[:start] + MASK + m.group(0)[end:]

    quoted: list[tuple[str, str]] = []
    text = re.sub(_FIELD_VALUE, field_value, text)
    for quote, value in quoted:
        text = text.replace(f"{quote}{value}{quote}", f"{quote}{MASK}{quote}")
    return _hide_other_values(text) if _other_value(text) else text


def _other_value(text: str) -> bool:
    """Whether a field error's value in ``text`` is no string (a number, a list, a map): substring
    searches, before _FIELD_OTHER is read."""
    for kind in ("Invalid value: ", "Unsupported value: ", "Not found: ", "Duplicate value: "):
        at = text.find(kind)
        while at >= 0:
            at += len(kind)
            if at < len(text) and (text[at] in "[{-0123456789&" or text[at].isalpha()):
                return True
            at = text.find(kind, at)
    return False


def _hidden_string(name: str, value: str) -> bool:
    """A field error's string value under ``name`` that is hidden: hidden()'s rule, or under a plural
    secret name (``spec.tokens``: akscli.secret_words.names_secrets), less a placeholder."""
    return hidden(name, value) or (names_secrets(name) and not is_placeholder(value))


def _hide_other_values(text: str) -> str:
    """``text`` with each number, list, map or Go composite a field error gives under a secret-named
    path as ``***``: a list, a map or a composite to its closing bracket (to the text's end where it
    is cut short); a number where the path's last word names the secret itself."""
    pieces: list[str] = []
    done = 0
    for m in re.finditer(_FIELD_OTHER, text):
        start = m.end()
        if start < done:
            continue  # inside a value already hidden
        number = None
        if composite := re.compile(_GO_COMPOSITE).match(text, start):  # before a list: []string{...}
            end = _json_end(text, composite.end() - 1)
        elif text[start] in "[{":
            end = _json_end(text, start)
        else:
            number = re.compile(_NUMBER).match(text, start)
            end = number.end() if number else -1
        names = _names(m.group(1))
        if end < 0 or not names or text[start:end] in ("[]", "{}"):
            continue
        value = text[start:end]
        if not (holds_secret(names[-1], value) or (number is None and names_secrets(names[-1]))):
            continue
        if number is not None and not _ends_in_secret(names[-1]):
            continue  # a number under spec.tokenTTL, spec.passwordLength: a quantity
        pieces += [text[done:start], MASK]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


def _json_end(text: str, start: int) -> int:
    """Where the JSON list or map that opens at ``text[start]`` ends (past its closing bracket);
    the text's end where it is not closed. A bracket inside a string does not count."""
    depth = 0
    at = start
    while at < len(text):
        ch = text[at]
        if ch == '"' or text.startswith('\\"', at):  # a string, or one in a JSON-escaped text (\"a\")
            close = '"' if ch == '"' else '\\"'
            at += len(close)
            while at < len(text) and not text.startswith(close, at):
                at += 2 if text[at] == "\\" and ch == '"' else 1
            at += len(close) - 1
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1
    return len(text)


def _ends_in_secret(name: str) -> bool:
    """``name``'s last word, or its last two, name a secret (``password``, ``clientSecret``,
    ``apiKey``; not ``tokenTTL``, ``passwordLength``)."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)) if w]
    if not words or is_secret_name(words[-1]):
        return bool(words)
    return len(words) > 1 and not is_secret_name(words[-2]) and is_secret_name("_".join(words[-2:]))


def _names(path: str) -> list[str]:
    """A field path's names, less its indexes: ``spec.users[0].password`` -> spec, users, password."""
    return [n for n in re.split(r"[.\[\]]", path) if n and not n.isdigit()]


def names_a_secret(text: str) -> bool:
    """Whether a word of ``text`` is a secret's name (akscli.secret_words.is_secret_name, which keeps
    its answers) or, in a field error, its plural (names_secrets: ``spec.tokens``), or a credential
    header's name is in it: what akscli.redact.hide_assignments hides a value under. Only a word that
    holds one of WORD_MARKS is asked about, so a file of ``app.key0=...`` lines, a ``model_path`` or a
    node pool's ``sshKey`` costs substring searches (in C), not a read pattern by pattern."""
    lower = text.lower()
    if not holds_any(lower, NAME_MARKS):
        return False
    if holds_any(lower, HEADER_MARKS):
        return True
    marks = tuple(mark for mark in WORD_MARKS if mark in lower)
    if "pat" in lower and re.search(_PAT, lower):
        marks += ("pat",)
    if not marks:
        return False
    fields = "value: " in text or "Not found: " in text  # a plural counts in a field error's path only
    return any(
        holds_any(word.lower(), marks) and (is_secret_name(word) or (fields and names_secrets(word)))
        for word in set(re.findall(_WORD, text))
    )


def holds_any(text: str, marks: tuple[str, ...]) -> bool:
    """Whether ``text`` holds one of ``marks``: substring searches, no pattern compiled (an offline
    command's table compiles none: tests/foundation/test_startup.py)."""
    for mark in marks:  # noqa: SIM110 - a loop is 3x faster than any() of a generator or a map
        if mark in text:
            return True
    return False
