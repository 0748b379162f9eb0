"""Process-wide flags that may stand anywhere on the command line.

kubectl runs a plugin with every flag after the plugin's name, so `kubectl akscli model list
--debug` must work as well as `akscli --debug model list`. These flags are taken out of argv
before Typer parses it, which also spares every command from declaring them.
"""

from __future__ import annotations

from collections.abc import Iterator

from akscli import validate
from akscli.errors import UsageError


class GlobalFlags:
    """The global flags of this run. A plain class, not a dataclass: every command imports it,
    and ``extract`` fills it in place (akscli.output.Column says why)."""

    __slots__ = (
        "allow",
        "argv",
        "audit_log",
        "debug",
        "no_headers",
        "policy_file",
        "reason",
        "show_managed_fields",
        "verbose",
    )

    def __init__(self, argv: tuple[str, ...] = ()) -> None:
        self.debug = False
        self.verbose = 0
        self.reason: str | None = None
        self.audit_log: str | None = None
        self.allow: tuple[str, ...] = ()
        self.policy_file: str | None = None
        self.show_managed_fields = False
        self.no_headers = False
        self.argv = argv


FLAGS = GlobalFlags()

_VALUE_FLAGS = {"--reason": "reason", "--audit-log": "audit_log", "--policy-file": "policy_file"}

GLOBAL_HELP = """\
Global flags (accepted anywhere on the command line):
  --debug                tracebacks on errors, and the API request log on stderr
  -v, --verbose          more detail on stderr; -vv (or kubectl's -v=6) adds the API request log
  --reason TEXT          why this change is made; recorded in the audit log
  --audit-log PATH       audit log file (default $AKSCLI_AUDIT_LOG or ~/.local/state/akscli/audit.jsonl)
  --allow RULE           let an apply through a blocking policy rule (repeatable; audited)
  --policy-file PATH     enable, disable or re-grade policy rules
  --show-managed-fields  keep metadata.managedFields in -o json and -o yaml (kubectl's flag)
  --no-headers           print tables (the default, -o wide, csv, custom-columns) without their header
"""


# The global flags that take no value.
_SWITCHES = ("--debug", "--show-managed-fields", "--no-headers")


# Every global flag's long name, for the hint of a flag typed wrong (cli/unknown_flag.py).
NAMES = (*_SWITCHES, *_VALUE_FLAGS, "--allow", "--verbose")


def _takes_value(flag: str) -> bool:
    return flag in _VALUE_FLAGS or flag == "--allow"


def _is_verbose(arg: str) -> bool:
    return arg == "--verbose" or (arg.startswith("-v") and arg == "-" + "v" * (len(arg) - 1))


# kubectl's log level (``-v=6``, ``--v=6``, ``--v 6``, ``-v6``): client-go logs each request from
# level 6 on (upstream: kubernetes/client-go 32ce75a7 transport/round_trippers.go, DebugWrappers:
# klog.V(6) adds the debugging round tripper, levelsV6 = DebugURLTiming), akscli's -vv; below 6 it
# is -v. Levels 7 to 9 add headers and bodies there; akscli's request log never prints them.
LOG_LEVEL = "--v"
REQUEST_LOG_LEVEL = 6


def _log_level(arg: str) -> tuple[bool, str | None]:
    """(whether ``arg`` is kubectl's log level flag, its value when it is in ``arg``)."""
    name, eq, inline = arg.partition("=")
    if name in ("-v", LOG_LEVEL) and eq:
        return True, inline
    if arg.startswith("-v") and arg[2:].isdigit():
        return True, arg[2:]
    return arg == LOG_LEVEL, None


def _verbosity(value: str, word: str = "-v") -> int:
    """akscli's -v count for kubectl's log level ``value``, given as ``word`` (the flag as typed)."""
    if not value.isdigit():
        spelled = word if "=" in word else f"{word} {value}"  # --v=x, -v=x, or --v x
        raise UsageError(
            f"{spelled}: kubectl's log level is a number (0 to 9)",
            hint="-v=6 (or -vv) logs each API request on stderr; -v alone adds more detail",
        )
    level = int(value)
    return 2 if level >= REQUEST_LOG_LEVEL else 1 if level > 0 else 0


def _scan(argv: list[str]) -> Iterator[tuple[str | None, str | None, str]]:
    """Each word of ``argv`` as (global flag, its value, the word): the flag is None for a word
    that is not a global flag, and the value None for a flag without one (``--debug``, ``-vv``,
    or a value flag given last with nothing after it). Words from ``--`` on are never flags.
    The one reading of the global flags: ``extract`` runs a command with it, ``without_globals``
    completes one."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            for word in argv[i:]:
                yield None, None, word
            return
        name, eq, inline = arg.partition("=")
        if name in _SWITCHES:
            yield name, inline if eq else None, arg  # --debug, or kubectl's --no-headers=false
        elif arg == "-v" and i + 1 < len(argv) and argv[i + 1].isdigit():
            # kubectl's -v is --v's shorthand and takes its level after a space (pflag), so
            # ``-v 6`` is level 6 there; akscli's -v counts, and a number after it is that level.
            i += 1
            yield LOG_LEVEL, argv[i], arg
        elif _is_verbose(arg):
            yield arg, None, arg
        elif _log_level(arg)[0]:
            level = _log_level(arg)[1]
            if level is None and i + 1 < len(argv):
                i += 1
                level = argv[i]  # --v 6, as pflag reads a flag's value after a space
            yield LOG_LEVEL, level, arg
        elif _takes_value(name):
            value: str | None = inline if eq else (argv[i + 1] if i + 1 < len(argv) else None)
            if not eq and value is not None:
                i += 1
            yield name, value, arg
        else:
            yield None, None, arg
        i += 1


def without_globals(argv: list[str]) -> list[str]:
    """``argv`` without the global flags and their values, as ``extract`` leaves it, for shell
    completion: nothing is validated, and a value flag at the end keeps nothing after it."""
    return [word for flag, _, word in _scan(argv) if flag is None]


def value_flag_before(argv: list[str], word: str) -> str | None:
    """The global value flag whose value ``word`` is (``--policy-file WORD`` or
    ``--policy-file=WORD``), or None."""
    name, eq, _ = word.partition("=")
    if eq and _takes_value(name) and "--" not in argv:
        return name
    waiting = None  # a value flag given last, with its value still to come
    for flag, value, _ in _scan(argv):
        waiting = flag if flag is not None and value is None and _takes_value(flag) else None
    return waiting


def log_level_before(argv: list[str], word: str) -> str | None:
    """What of ``word`` is the value of kubectl's log level flag being typed (``--v WORD``,
    ``--v=WORD``, ``-v=WORD``), for shell completion; None when ``word`` is not one."""
    if "--" in argv:
        return None
    name, eq, inline = word.partition("=")
    if eq and name in ("-v", LOG_LEVEL):
        return inline
    waiting = False  # --v given last, with its value still to come
    for flag, value, _ in _scan(argv):
        waiting = flag == LOG_LEVEL and value is None
    return word if waiting else None


def _switch(flag: str, value: str | None) -> bool:
    """A switch given bare (on) or, as kubectl takes its bool flags, ``=true``/``=false``."""
    return True if value is None else validate.go_bool(value, flag)


def extract(argv: list[str]) -> list[str]:
    """Remove the global flags from ``argv`` into ``FLAGS`` and return the rest."""
    rest: list[str] = []
    flags = GlobalFlags(argv=tuple(argv))
    allow: list[str] = []
    for flag, value, word in _scan(argv):
        if flag is None:
            rest.append(word)
        elif flag == "--debug":
            flags.debug = _switch(flag, value)
        elif flag == "--show-managed-fields":
            flags.show_managed_fields = _switch(flag, value)
        elif flag == "--no-headers":
            # kubectl get's --no-headers, for every table akscli prints (akscli.output.print_table).
            flags.no_headers = _switch(flag, value)
        elif _is_verbose(flag):
            flags.verbose += 1 if flag == "--verbose" else len(flag) - 1  # -v, -vv, -vvv as documented
        elif flag == LOG_LEVEL and value is not None:
            flags.verbose = max(flags.verbose, _verbosity(value, word))
        elif value is None:
            raise UsageError(f"{flag} needs a value", hint=f"for example: {flag} VALUE")
        elif flag == "--allow":
            allow.extend(v for v in value.split(",") if v)
        elif flag == "--reason":
            flags.reason = validate.text(value, "--reason", max_len=2048)
        else:
            setattr(flags, _VALUE_FLAGS[flag], value)
    flags.allow = tuple(allow)
    _replace(flags)
    return rest


def reset() -> None:
    """Back to defaults, so one in-process run never leaks flags into the next."""
    _replace(GlobalFlags())


def _replace(flags: GlobalFlags) -> None:
    # FLAGS is imported by reference elsewhere, so update it in place.
    for name in GlobalFlags.__slots__:
        setattr(FLAGS, name, getattr(flags, name))


def typed(name: str, *aliases: str) -> str:
    """The spelling of an option that the user typed: ``name`` or one of its ``aliases`` (az's
    names beside akscli's, grammar.AZ_ALIASES), so that an error names what is on the command line.
    Click keeps the last value of an option given twice, so the last spelling wins; words from
    ``--`` on are not flags. ``name`` when none is there (a value from elsewhere)."""
    spelled = name
    for word in FLAGS.argv:
        if word == "--":
            break
        flag = word.partition("=")[0]
        if flag == name or flag in aliases:
            spelled = flag
    return spelled
