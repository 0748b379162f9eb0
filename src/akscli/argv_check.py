"""The checks every value on the command line passes, whatever the command (``akscli.validate``
checks each typed value by what it is): none empty or blank unless it clears, none too long, none
holding a control character or a lone surrogate.
"""

from __future__ import annotations

from collections.abc import Sequence

from akscli.errors import UsageError

MAX_ARGUMENT = 16 * 1024
# Options whose value may hold a newline or a tab (a multi-line prompt).
MULTILINE_OPTIONS = frozenset({"--prompt"})
# Options whose empty value means "clear", by the command words that take them: az aks nodepool
# update's --labels "" and --node-taints "" (MicrosoftDocs/azure-aks-docs articles/aks/use-node-taints.md).
EMPTY_CLEARS: dict[tuple[str, str], frozenset[str]] = {
    ("nodepool", "update"): frozenset({"--labels", "--taint", "--node-taints"}),
}


def _empty_clears(args: Sequence[str]) -> frozenset[str]:
    words = list(args)
    for (group, command), flags in EMPTY_CLEARS.items():
        if any(words[i : i + 2] == [group, command] for i in range(len(words) - 1)):
            return flags
    return frozenset()


def _shorthand_with_value(raw: str) -> bool:
    """``-n=ml``, ``-l=``: a one-letter flag and its value after '=' (not ``-5``, not ``--x=``)."""
    return len(raw) > 2 and raw[0] == "-" and raw[1].isalpha() and raw[2] == "="


class WordRefused(UsageError):
    """A refused word of its own, no option's value (``an argument holds ...``): the command tree
    names the argument it is (cli/refused.py name_word: ``NAME holds ...``), once it knows the
    command; ``problem`` is the message without its subject."""

    def __init__(self, word: str, problem: str, hint: str) -> None:
        super().__init__(f"an argument {problem}", hint=hint)
        self.word = word
        self.problem = problem


def _refused(what: str, raw: str, problem: str, hint: str) -> UsageError:
    return UsageError(f"{what} {problem}", hint=hint) if what != "an argument" else WordRefused(raw, problem, hint)


# The flags whose value is a namespace: a name that never starts with '-' (a DNS label).
NAMESPACE_FLAGS = ("-n", "--namespace")


def command_line(args: Sequence[str]) -> None:
    """Checks every value on the command line must pass, whatever the command: none is empty
    or blank, over ``MAX_ARGUMENT`` characters, or holds a control character or a lone
    surrogate (a terminal escape, NUL, a newline where one line is meant); a namespace flag is
    followed by a name, not by another flag."""
    previous = ""
    clears = _empty_clears(args)
    for raw in args:
        if raw == "--":
            return
        if previous in NAMESPACE_FLAGS and raw.startswith("-") and raw != "-":
            # `-n -o json`: the parser takes -o as the namespace and refuses json as an extra
            # argument (kubectl: namespaces "-o" not found): say what was left out.
            raise UsageError(
                f"{previous} needs a namespace name, and {raw!r} after it is a flag",
                hint=f"put the namespace right after {previous}, e.g. {previous} team-a",
            )
        flag, eq, value = raw.partition("=") if raw.startswith("--") else ("", "", raw)
        if _shorthand_with_value(raw):
            # -n=, -l=, -o=json: pflag's shorthand value after '=' (options.split_shorthand_values)
            flag, eq, value = raw[:2], "=", raw[3:]
        if flag and not eq:
            previous = raw
            continue
        is_value = bool(eq) or not raw.startswith("-") or raw.strip("-").strip() == ""
        owner = flag or (previous if previous.startswith("-") else "")
        previous = raw
        if not is_value:
            continue
        what = f"the value of {owner}" if owner else "an argument"
        if not value and owner in clears:
            continue
        if not value.strip():
            # A word of its own (`cluster delete "$NAME"`, the variable unset) has no option to
            # leave out: the hint names the word, and the likely cause.
            hint = (
                f"give {owner} a value, or leave the option out for its default"
                if owner
                else "give the word a value or leave it out (a shell variable that is not set?)"
            )
            raise _refused(what, raw, f"is {'empty' if not value else 'blank'}", hint)
        if len(value) > MAX_ARGUMENT:
            raise _refused(
                what,
                raw,
                f"is {len(value)} characters long (at most {MAX_ARGUMENT})",
                "pass long content in a file (-f/--values) instead",
            )
        multiline = owner in MULTILINE_OPTIONS
        for ch in value:
            code = ord(ch)
            if 0xD800 <= code <= 0xDFFF:
                raise _refused(what, raw, "is not valid Unicode text (a lone surrogate)", "remove it")
            if (code < 0x20 and not (multiline and ch in "\n\t")) or code == 0x7F:
                raise _refused(
                    what,
                    raw,
                    f"holds the control character U+{code:04X}",
                    "remove it: values never contain control characters",
                )
