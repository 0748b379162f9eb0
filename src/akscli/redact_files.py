"""For akscli.redact: a file's text (a ConfigMap's value) with each secret-named value in it hidden,
read by what the file means (a properties line's value runs to its end; a Python file's environment
reference is no value), its lines kept: ``-o yaml``/``-o json`` (akscli.printable.data_value), a
plan's changed lines (akscli.kube.plan_diff) and a placement's drift details
(akscli.fleet.placement_status) show a file by these rules.

Only ``re`` and akscli.redact (offline commands import it)."""

from __future__ import annotations

import re

from akscli.redact import MASK, has_flag, hide_assignments, hide_known
from akscli.redact_fields import WORD_MARKS
from akscli.redact_fields import hidden as _hidden
from akscli.redact_fields import names_a_secret as _names_a_secret

# A line of a file a ConfigMap holds (hide_in_file), a properties, env or INI file:
# ``NAME=VALUE``, ``NAME = VALUE``, ``export NAME=VALUE``; the value runs to the line's end, spaces and
# all (java.util.Properties.load(Reader), its javadoc: "All remaining characters on the line become part
# of the associated element string"; python/cpython Lib/configparser.py _OPT_TMPL), or inside its
# quotes where it is quoted whole (TOML, an env file). ``==`` is a comparison. Read only on a line that
# holds a part of a secret's name (akscli.redact_fields.WORD_MARKS, found by substring searches), so a
# file of ``app.keyN=...`` lines costs no match of a line.
_FILE_LINE = r"""(?m)^([ \t]*(?:export[ \t]+)?)([A-Za-z_][\w.-]*)[ \t]*=(?!=)[ \t]*(?:(["'])(.*)\3|(.*?))[ \t]*\r?$"""
# What a Python file reads a secret from, not the secret: ``os.environ["DB_PASSWORD"]``,
# ``os.environ.get("X")``, ``os.getenv("X")`` with no default (a default may be the secret itself).
_ENV_REFERENCE = r"""os\.(?:environ\[(["'])\w+\1\]|environ\.get\((["'])\w+\2\)|getenv\((["'])\w+\3\))"""


def hide_in_file(text: str, name: str = "") -> str:
    """A file's text (a ConfigMap's value under key ``name``: a properties, INI, env or YAML file, a
    script) with each secret-named value in it (_FILE_LINE's lines, to their end, then
    hide_assignments) and each remembered Secret value (hide_known) written as ``***``, its lines
    kept. Where ``name`` says Python (``*.py``), a value that reads the secret from the environment
    (_ENV_REFERENCE) is shown: there it is certainly no value; anywhere else (a properties file's
    ``os.environ["X"]`` is that text) it is hidden. A token's shape or a URL's password in it makes the
    whole value a secret (akscli.printable.masked_values, secret_words.is_secret_variable), so it is
    not searched for here."""
    text = hide_known(text)
    if ("=" in text or ":" in text or has_flag(text)) and _names_a_secret(text):
        if "=" in text:
            text = _hide_file_lines(text, name.endswith(".py"))
        return hide_assignments(text, spaced_lines=False)
    return text


def _hide_file_lines(text: str, python: bool) -> str:
    """``text`` with each secret-named value of a _FILE_LINE as ``***``, and each line that continues
    it (a properties line that ends in an odd number of backslashes goes on onto the next:
    java.util.Properties.load(Reader)) as ``***`` at its indent."""
    pieces: list[str] = []
    done = 0
    pattern = re.compile(_FILE_LINE)
    for start in _marked_lines(text):
        if start < done:
            continue  # a line that continues a value already hidden
        m = pattern.match(text, start)
        if m is None:
            continue
        group = 4 if m.group(3) else 5
        value = m.group(group)
        if not _hidden(m.group(2), value) or (python and re.fullmatch(_ENV_REFERENCE, value)):
            continue
        pieces += [text[done : m.start(group)], MASK]
        done = m.end(group)
        line = (m.start(), m.end())
        while _continues(text[line[0] : line[1]]) and line[1] < len(text):
            start = line[1] + 1
            end = text.find("\n", start)
            line = (start, len(text) if end < 0 else end)
            body = text[start : line[1]].rstrip("\r")
            content = start + len(body) - len(body.lstrip(" \t"))
            pieces += [text[done:content], MASK]
            done = start + len(body)
    return "".join(pieces) + text[done:] if pieces else text


def _marked_lines(text: str) -> list[int]:
    """Where each line of ``text`` that holds one of WORD_MARKS (in lower case) starts, in order."""
    lower = text.lower()
    if len(lower) != len(text):  # a letter that lower() writes as two: every line
        return [0, *(at + 1 for at, ch in enumerate(text) if ch == "\n")]
    starts = set()
    for mark in (*WORD_MARKS, "pat"):  # PAT a word (redact_fields._PAT): a "path" line is read too
        at = lower.find(mark)
        while at >= 0:
            starts.add(text.rfind("\n", 0, at) + 1)
            end = lower.find("\n", at)
            at = -1 if end < 0 else lower.find(mark, end)
    return sorted(starts)


def _continues(line: str) -> bool:
    """A properties line that ends in an odd number of backslashes: its value goes on."""
    end = line.rstrip("\r")
    return (len(end) - len(end.rstrip("\\"))) % 2 == 1
