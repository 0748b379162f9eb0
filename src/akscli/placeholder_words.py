"""Words that stand for a value rather than being one, and words of prose, for akscli.redact: what it
leaves as it is after a secret's name.

* A placeholder: ``$VAR``, ``<...>``, ``***``, a number, a boolean, or an upper-case word that says
  what goes there (``--token=TOKEN``, ``password=DB_PASSWORD``, ``KEY1``, ``CHANGEME``, ``XXXX``).
  An upper-case word that says nothing of the kind (``HUNTER22``, ``S3CRET``) is a value.
* Prose after a flag's name (``the --token flag is required``): the word after it is one of the
  words of a sentence, not a password.

Only ``re`` and akscli.secret_words (offline commands import akscli.redact)."""

from __future__ import annotations

import re

from akscli.secret_words import is_secret_name

# The words that follow a flag's name in a sentence: what it is (flag, option), a verb, a conjunction,
# an article, a preposition, a pronoun, an adverb. A password that is one of them is shown.
PROSE_AFTER_FLAG = frozenset(
    {
        *("flag", "flags", "option", "options", "argument", "arguments", "arg", "args", "parameter", "param"),
        *("value", "values", "setting", "switch", "names", "name", "file", "itself", "alone", "instead"),
        *("is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "does", "do", "did"),
        *("must", "should", "may", "might", "can", "cannot", "could", "will", "would", "shall", "needs"),
        *("need", "requires", "require", "required", "expects", "takes", "accepts", "given", "set"),
        *("unset", "missing", "ignored", "deprecated", "overrides", "wins", "works", "applies", "sets"),
        *("and", "or", "nor", "but", "so", "yet", "then", "than", "if", "when", "while", "unless"),
        *("a", "an", "the", "this", "that", "these", "those", "it", "its", "which", "who", "what"),
        *("to", "with", "without", "for", "from", "of", "in", "on", "at", "by", "as", "into", "via"),
        *("only", "also", "too", "not", "no", "there", "here", "again", "anyway", "once", "first"),
        *("see", "use", "above", "below", "later", "now", "before", "after"),
    }
)
_PLACEHOLDER = r"[0-9.]+|true|false|null|none|None|\.\.\.|…"
# An upper-case word is a placeholder where it says what goes there (``--token=TOKEN``,
# ``password=DB_PASSWORD``, ``api-key: KEY1``, ``CHANGEME``, ``XXXX``): it names a secret
# (secret_words.is_secret_name) or each of its words is one of these or a single letter (a metavar:
# ``--client-secret S``), less a trailing number. Any other (``password: HUNTER22``, ``S3CRET``) is a
# value: an upper-case password is still one.
_UPPER_WORDS = r"[A-Z]+[0-9]*(?:[_-][A-Z]+[0-9]*)*"
PLACEHOLDER_WORDS = frozenset(
    {
        *("VALUE", "KEY", "KEYS", "YOUR", "MY", "THE", "HERE", "NEW", "OLD", "SOME", "STRING", "ENV", "VAR"),
        *("REDACTED", "HIDDEN", "MASKED", "OMITTED", "REMOVED", "PLACEHOLDER", "EXAMPLE", "SAMPLE"),
        *("DUMMY", "FAKE", "TEST", "CHANGEME", "CHANGE", "REPLACE", "FILL", "INSERT", "ENTER", "ME", "IN"),
        *("TODO", "TBD", "NONE", "NULL", "TRUE", "FALSE", "EMPTY", "UNSET", "NOTSET", "NOT", "SET"),
        # a flag's metavar in a usage line or a hint (``--access-secret NAME``, ``--client-secret S``)
        *("NAME", "NAMES", "ID", "FILE", "PATH", "DIR", "URL", "URI", "HOST", "USER", "USERNAME", "ACCOUNT"),
        *("TENANT", "CLIENT", "TEXT", "ARG", "ARGS", "STR", "DATA", "NS", "NAMESPACE", "REF", "NUM", "N"),
    }
)


def is_placeholder(value: str) -> bool:
    """``value`` stands for a value after a secret's name, and is shown."""
    if not value or value.startswith(("$", "<", "{", "[", "*", "%(")) or re.fullmatch(_PLACEHOLDER, value):
        return True
    return value[0].isupper() and value.isupper() and _names_its_value(value)


def _names_its_value(value: str) -> bool:
    """An upper-case word that says what goes there (PLACEHOLDER_WORDS above)."""
    if not re.fullmatch(_UPPER_WORDS, value):
        return False
    if is_secret_name(value):
        return True
    words = (w.rstrip("0123456789") for w in re.split("[_-]", value))
    return all(w in PLACEHOLDER_WORDS or is_secret_name(w) or w == "X" * len(w) or len(w) == 1 for w in words)
