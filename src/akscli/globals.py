"""Process-wide flags that may stand anywhere on the command line.

kubectl runs a plugin with every flag after the plugin's name, so `kubectl akscli model list
--debug` must work as well as `akscli --debug model list`. These flags are taken out of argv
before Typer parses it, which also spares every command from declaring them.
"""

from __future__ import annotations

from akscli import validate
from akscli.errors import UsageError


class GlobalFlags:
    """The global flags of this run. A plain class, not a dataclass: every command imports it,
    and ``extract`` fills it in place (akscli.output.Column says why)."""

    __slots__ = ("allow", "argv", "audit_log", "debug", "policy_file", "reason", "verbose")

    def __init__(self, argv: tuple[str, ...] = ()) -> None:
        self.debug = False
        self.verbose = 0
        self.reason: str | None = None
        self.audit_log: str | None = None
        self.allow: tuple[str, ...] = ()
        self.policy_file: str | None = None
        self.argv = argv


FLAGS = GlobalFlags()

_VALUE_FLAGS = {"--reason": "reason", "--audit-log": "audit_log", "--policy-file": "policy_file"}

GLOBAL_HELP = """\
Global flags (accepted anywhere on the command line):
  --debug              tracebacks on errors, and the API request log on stderr
  -v, --verbose        more detail on stderr; -vv adds the API request log
  --reason TEXT        why this change is made; recorded in the audit log
  --audit-log PATH     audit log file (default $AKSCLI_AUDIT_LOG or ~/.local/state/akscli/audit.jsonl)
  --allow RULE         let an apply through a blocking policy rule (repeatable; audited)
  --policy-file PATH   enable, disable or re-grade policy rules
"""


def _is_verbose(arg: str) -> bool:
    return arg == "--verbose" or (arg.startswith("-v") and arg == "-" + "v" * (len(arg) - 1))


def without_globals(argv: list[str]) -> list[str]:
    """``argv`` without the global flags and their values, as ``extract`` leaves it, for shell
    completion: nothing is validated, and a value flag at the end keeps nothing after it."""
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name, eq, _ = arg.partition("=")
        if name in _VALUE_FLAGS or name == "--allow":
            i += 1 if eq else 2
            continue
        if arg != "--debug" and not _is_verbose(arg):
            rest.append(arg)
        i += 1
    return rest


def value_flag_before(argv: list[str], word: str) -> str | None:
    """The global value flag whose value ``word`` is (``--policy-file WORD`` or
    ``--policy-file=WORD``), or None."""
    name, eq, _ = word.partition("=")
    if eq and (name in _VALUE_FLAGS or name == "--allow") and "--" not in argv:
        return name
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return None
        flag, eq, _ = arg.partition("=")
        if (flag in _VALUE_FLAGS or flag == "--allow") and not eq:
            if i + 1 == len(argv):
                return flag
            i += 2
            continue
        i += 1
    return None


def extract(argv: list[str]) -> list[str]:
    """Remove the global flags from ``argv`` into ``FLAGS`` and return the rest."""
    rest: list[str] = []
    flags = GlobalFlags(argv=tuple(argv))
    allow: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name, eq, inline = arg.partition("=")
        if arg == "--debug":
            flags.debug = True
        elif arg == "--verbose":
            flags.verbose += 1
        elif arg.startswith("-v") and arg == "-" + "v" * (len(arg) - 1):
            flags.verbose += len(arg) - 1  # -v, -vv, -vvv as documented
        elif name in _VALUE_FLAGS or name == "--allow":
            if eq:
                value = inline
            elif i + 1 < len(argv):
                i += 1
                value = argv[i]
            else:
                raise UsageError(f"{name} needs a value", hint=f"for example: {name} VALUE")
            if name == "--allow":
                allow.extend(v for v in value.split(",") if v)
            elif name == "--reason":
                flags.reason = validate.text(value, "--reason", max_len=2048)
            else:
                setattr(flags, _VALUE_FLAGS[name], value)
        else:
            rest.append(arg)
        i += 1
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
