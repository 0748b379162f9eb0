"""The audit trail: one JSON line per change, appended and never rewritten.

Every command that changes something (ARM or Kubernetes) calls ``record`` once. Each line holds
the time, the command line with secrets redacted, the identity's claims (never a token), the
target, the objects changed with their resourceVersions, the result, the ``--reason`` text and
the policy rules let through with ``--allow``. Appends are one ``write()`` on an ``O_APPEND``
descriptor under an exclusive ``flock``, so concurrent processes never interleave or lose lines.
"""

from __future__ import annotations

import fcntl
import fnmatch
import getpass
import json
import os
import re
import socket
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from akscli import cachedir, logscan, timestamps
from akscli.audit_argv import redact_argv, redact_value
from akscli.errors import AkscliError, NotFoundError, UsageError
from akscli.redact import scrub

IDENTITY_CLAIMS = ("oid", "upn", "appid", "tid", "preferred_username", "unique_name", "sub", "user")


def default_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "akscli" / "audit.jsonl"


def log_path(path: str | None = None) -> Path:
    """``--audit-log``, then ``AKSCLI_AUDIT_LOG``, then the user's state directory."""
    if path is None:
        from akscli.globals import FLAGS

        path = FLAGS.audit_log
    path = path or os.environ.get("AKSCLI_AUDIT_LOG")
    return Path(path).expanduser() if path else default_path()


def identity_claims(identity: Mapping[str, Any] | None) -> dict[str, str]:
    """Only the naming claims; whatever else a caller passes (a token, a key) is dropped."""
    if not identity:
        return {}
    return {k: redact_value(str(identity[k])) for k in IDENTITY_CLAIMS if identity.get(k)}


ID_LENGTH = 16  # hex characters of an entry's id: 64 random bits


def _now() -> str:
    return timestamps.format(digits=3)


def build_entry(
    *,
    action: str,
    target: Mapping[str, str],
    objects: Sequence[Mapping[str, str]],
    result: str,
    identity: Mapping[str, str] | None,
    reason: str | None,
    allowed_rules: Sequence[str],
    argv: Sequence[str],
) -> dict[str, Any]:
    try:
        local_user = getpass.getuser()
    except (KeyError, OSError):
        local_user = str(os.getuid())
    return {
        "id": uuid.uuid4().hex[:ID_LENGTH],
        "time": _now(),
        "action": action,
        "argv": redact_argv(argv),
        "identity": identity_claims(identity),
        "localUser": local_user,
        "host": socket.gethostname(),
        "target": {k: str(v) for k, v in target.items() if v is not None},
        "objects": [{k: redact_value(str(v)) for k, v in o.items() if v is not None} for o in objects],
        "result": scrub(result),  # a failure's text may quote a server's answer (akscli.redact)
        # --reason is an argument like any other: argv hides a token typed there, and so does this field.
        "reason": redact_value(reason) if reason else reason,
        "allowedRules": list(allowed_rules),
    }


def _utf8(value: Any) -> Any:
    """``value`` with every string UTF-8 can encode: an argument that is not UTF-8 (a file name's
    bytes after ``--``, which Python's argv holds as lone surrogates, PEP 383) is kept as its bytes
    written ``\\xff``, as Python's backslashreplace writes them, so the line is valid UTF-8 JSON."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raw = value.encode("utf-8", "surrogateescape" if _escaped_bytes(value) else "backslashreplace")
            return raw.decode("utf-8", "backslashreplace")
        return value
    if isinstance(value, Mapping):
        return {key: _utf8(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_utf8(item) for item in value]
    return value


def _escaped_bytes(text: str) -> bool:
    """Every lone surrogate in ``text`` is one PEP 383's surrogateescape made of a byte (U+DC80-U+DCFF)."""
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


def append(path: Path, entry: Mapping[str, Any]) -> None:
    """One line, one write(), under an exclusive lock: safe across concurrent processes."""
    line = (json.dumps(_utf8(entry), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    try:
        cachedir.make(str(path.parent))  # every missing folder 0700, whatever the umask
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(line)
        while view:
            # A short write is continued under the same lock, so the line stays whole.
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise _write_failed(path, exc) from exc
    finally:
        os.close(fd)  # closing releases the lock


def _write_failed(path: Path, exc: OSError) -> AkscliError:
    return AkscliError(
        f"the change was made but its audit record could not be written to {path}: {exc.strerror}",
        hint="point --audit-log or AKSCLI_AUDIT_LOG at a writable file",
    )


# The result of each line this run recorded, oldest first: what a Ctrl-C that comes later says
# stays (cli/main.py). Cleared when a run ends (akscli runs in-process in the tests).
RESULTS: list[str] = []


def record(
    *,
    action: str,
    target: Mapping[str, str],
    objects: Sequence[Mapping[str, str]],
    result: str,
    identity: Mapping[str, str] | None = None,
    reason: str | None = None,
    allowed_rules: Sequence[str] = (),
) -> None:
    """Append one audit line; ``reason`` and the log path default to the global flags."""
    from akscli.globals import FLAGS

    argv = list(FLAGS.argv) if FLAGS.argv else sys.argv[1:]
    entry = build_entry(
        action=action,
        target=target,
        objects=objects,
        result=result,
        identity=identity,
        reason=reason if reason is not None else FLAGS.reason,
        allowed_rules=allowed_rules,
        argv=argv,
    )
    RESULTS.append(result)
    path = log_path()
    try:
        append(path, entry)
    except AkscliError as exc:
        if FLAGS.audit_log or os.environ.get("AKSCLI_AUDIT_LOG"):
            raise  # a log the user named: the record they asked for is missing, so the command fails
        # The default folder (~/.local/state) cannot be written: a read-only home on a CI runner.
        # The change is made; failing now would leave it half recorded (no revision, exit 1).
        _warn_unwritable_once(path, exc)


_WARNED: list[Path] = []


def _warn_unwritable_once(path: Path, exc: AkscliError) -> None:
    if path in _WARNED:
        return
    _WARNED.append(path)
    cause = exc.__cause__
    reason = (cause.strerror or str(cause)) if isinstance(cause, OSError) else str(exc)
    from akscli import output  # the one stderr layer: every warning's prefix, colour and scrub

    output.warn(
        f"no audit record kept: cannot write {path}: {reason}; "
        "point --audit-log or AKSCLI_AUDIT_LOG at a writable file to keep one"
    )


# ---- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    since: str | None = None  # ISO time, entries at or after it
    action: str | None = None  # glob, e.g. "model *"
    result: str | None = None  # glob, e.g. "fail*"
    namespace: str | None = None
    cluster: str | None = None
    who: str | None = None  # substring of any identity claim or the local user
    object: str | None = None  # glob on Kind/name or name
    allowed: bool = False  # only entries that used --allow

    def match(self, entry: Mapping[str, Any]) -> bool:
        target = entry.get("target") or {}
        if self.since and str(entry.get("time", "")) < self.since:
            return False
        if self.action and not fnmatch.fnmatchcase(str(entry.get("action", "")), self.action):
            return False
        if self.result and not fnmatch.fnmatchcase(str(entry.get("result", "")), self.result):
            return False
        if self.namespace and self.namespace not in (
            target.get("namespace"),
            *(o.get("namespace") for o in entry.get("objects") or []),
        ):
            return False
        if self.cluster and self.cluster not in (target.get("cluster"), target.get("context")):
            return False
        if self.who:
            names = [*(entry.get("identity") or {}).values(), entry.get("localUser", "")]
            if not any(self.who.lower() in str(n).lower() for n in names):
                return False
        if self.object:
            refs = [ref for o in entry.get("objects") or [] for ref in _object_refs(o)]
            if not any(fnmatch.fnmatchcase(r, self.object) for r in refs):
                return False
        return not (self.allowed and not entry.get("allowedRules"))


def parse_filters(
    *,
    since: str | None = None,
    action: str | None = None,
    result: str | None = None,
    namespace: str | None = None,
    cluster: str | None = None,
    who: str | None = None,
    object: str | None = None,
    allowed: bool = False,
) -> Filters:
    """``audit list``'s filter flags, each validated, as Filters."""
    from akscli import validate

    for value, flag in ((action, "--action"), (result, "--result"), (cluster, "--cluster"), (who, "--user")):
        if value is not None:
            validate.text(value, flag, 256)
    if object is not None:
        validate.text(object, "--object", 256)
    if namespace is not None:
        validate.name(namespace, "namespace")
    return Filters(
        since=since_time(since) if since else None,
        action=action,
        result=result,
        namespace=namespace,
        cluster=cluster,
        who=who,
        object=object,
        allowed=allowed,
    )


def who(entry: Mapping[str, Any]) -> str:
    """The most readable name of who made the change: upn, appid, oid, then the local user."""
    ident = entry.get("identity") or {}
    for claim in ("upn", "appid", "oid", "user"):
        if ident.get(claim):
            return str(ident[claim])
    return str(entry.get("localUser") or "")


def where(entry: Mapping[str, Any]) -> str | None:
    """The kubeconfig context of the change, else its cluster."""
    target = entry.get("target") or {}
    found = target.get("context") or target.get("cluster")
    return str(found) if found else None


def objects_summary(entry: Mapping[str, Any], shown: int = 3) -> str:
    """The first ``shown`` objects changed, and how many more."""
    refs = [_object_refs(o)[0] for o in entry.get("objects") or []]
    more = f",+{len(refs) - shown}" if len(refs) > shown else ""
    return ",".join(refs[:shown]) + more


_SINCE_FORM = "use a duration (30m, 2h, 7d) or an ISO time (2026-11-26T10:00:00Z)"


def _object_refs(obj: Mapping[str, Any]) -> list[str]:
    """The names an entry's object answers to: ``kind/name`` (as written) and the bare name."""
    ref = str(obj.get("object") or f"{obj.get('kind', '')}/{obj.get('name', '')}")
    return [ref, ref.rsplit("/", 1)[-1]]


def since_time(value: str, now: datetime | None = None) -> str:
    """``--since`` (a duration back from now, or an ISO time) as a comparable UTC string."""
    text = value.strip()
    is_date = timestamps.looks_typed(text)
    try:
        when = timestamps.typed(text) if is_date else (now or datetime.now(UTC)) - _age(text)
        return timestamps.format(when, digits=3)
    except OverflowError as exc:
        raise UsageError(f"invalid --since {value!r}: outside the years 1 to 9999", hint=_SINCE_FORM) from exc
    except (UsageError, ValueError) as exc:
        what = "not a date/time" if is_date else "not a duration or a date"
        raise UsageError(f"invalid --since {value!r}: {what}", hint=_SINCE_FORM) from exc


def _age(text: str) -> timedelta:
    from akscli.validate import duration

    days = re.fullmatch(r"(\d+)d", text)
    return timedelta(days=int(days.group(1))) if days else timedelta(seconds=duration(text, "--since"))


@dataclass
class ReadStats:
    skipped: int = 0  # lines read that are not audit entries
    read: int = 0  # lines read (not blank)
    whole: bool = False  # the read reached the log's other end: every line was read


def entries(
    path: Path,
    stats: ReadStats | None = None,
    *,
    newest_first: bool = False,
    needles: Sequence[bytes] = (),
    folded: Sequence[bytes] = (),
) -> Iterator[dict[str, Any]]:
    """The log's entries in order (``newest_first``: read backwards from the end), line by line;
    unreadable lines are counted, not fatal. A line that lacks one of ``needles`` (bytes that every
    entry a caller wants has in its line: ``needles_for``) and reads as one JSON object, ``{`` to
    ``}``, is counted and not parsed (akscli.logscan; ``folded``: needles of any letter case,
    ``folded_for``): a filter that matches few entries of a log of
    years costs a byte search of each block, not a JSON parse of each line."""
    if not path.exists():
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UsageError(
            f"cannot read audit log {path}: {exc.strerror}",
            hint="check --audit-log or AKSCLI_AUDIT_LOG",
        ) from exc
    with handle:
        for chunk in logscan.chunks(handle, _BLOCK, backwards=newest_first):
            wanted, passed = logscan.lines(chunk, needles, folded=folded, backwards=newest_first)
            if stats is not None:
                stats.read += passed
            for raw in wanted:
                try:
                    entry = json.loads(raw)
                except (ValueError, UnicodeDecodeError):
                    entry = None
                if stats is not None and raw.strip():
                    stats.read += 1
                if isinstance(entry, dict):
                    yield entry
                elif stats is not None and raw.strip():
                    stats.skipped += 1
        if stats is not None:
            stats.whole = True


# Text that json.dumps writes as it is, ensure_ascii or not: printable ASCII but '"' and '\'.
_VERBATIM = re.compile(r"[ !#-\[\]-~]+")


def _literal(glob: str | None) -> bytes | None:
    """The longest run of plain text in a glob (``*`` and ``?`` split it; a ``[...]`` class or text
    that JSON escapes gives none), which every value the glob matches contains."""
    if not glob or "[" in glob or "]" in glob:
        return None
    part = max(re.split(r"[*?/]+", glob), key=len)
    return part.encode() if part and _VERBATIM.fullmatch(part) else None


def needles_for(filters: Filters) -> tuple[bytes, ...]:
    """Bytes that the line of every entry ``filters`` match contains, as ``append`` (or any
    json.dumps) writes it: the plain text of the --action, --result and --object globs, and the
    --namespace and --cluster values in their quotes. --user is matched in any letter case
    (``folded_for``); --since and --allowed give none. A line written with escapes is parsed
    whatever its needles (akscli.logscan)."""
    found = [_literal(filters.action), _literal(filters.result), _literal(filters.object)]
    for exact in (filters.namespace, filters.cluster):
        if exact and _VERBATIM.fullmatch(exact):
            found.append(f'"{exact}"'.encode())
    return tuple(n for n in found if n)


def folded_for(filters: Filters) -> tuple[bytes, ...]:
    """The needles to find in any letter case: --user in lower case, which every identity claim
    it matches holds when ASCII-lowered (Filters.match compares ``who.lower()`` with each claim's
    ``lower()``; a claim with a non-ASCII character, which str.lower may turn into ASCII, is parsed
    whatever its needles: akscli.logscan)."""
    who = (filters.who or "").lower()
    return (who.encode(),) if who and _VERBATIM.fullmatch(who) else ()


def skipped_line(path: Path, stats: ReadStats) -> str:
    """The warning for unreadable lines, saying how much of the log was read to count them."""
    if stats.whole:
        return f"{stats.skipped} line(s) of {path} are not audit entries and were skipped"
    return (
        f"{stats.skipped} of the newest {stats.read} line(s) of {path} are not audit entries and were "
        "skipped (older lines were not read)"
    )


# What a backwards read takes from the file at a time.
_BLOCK = 1 << 16


# How far out of time order two lines of the log may be. An entry's time is taken when it is
# built (build_entry), before append takes the lock, so a writer that stamps first may append
# second; between the two are only local work and the wait for a lock held for one write(), which
# is milliseconds. The hour also covers a wall clock stepped back (NTP) and hosts whose clocks
# differ a little when the log is on a shared disk. A read back with --since stops at the first
# entry older than --since by more than this: every line above it was appended earlier, so is at
# most this much newer, so is older than --since too.
SINCE_SKEW = timedelta(hours=1)


def query(
    path: Path, filters: Filters, limit: int | None = None, stats: ReadStats | None = None
) -> list[dict[str, Any]]:
    """Matching entries, oldest first; with ``limit`` only the newest ``limit``, read from the
    log's end, so that a log of years (hundreds of MB, one line per change) is read only as far
    back as they go, or as --since goes (less ``SINCE_SKEW``); ``stats`` then counts the lines of
    that part."""
    needles, folded = needles_for(filters), folded_for(filters)
    if limit is None:
        found = entries(path, stats, needles=needles, folded=folded)
        return [entry for entry in found if filters.match(entry)]
    kept: list[dict[str, Any]] = []
    if limit <= 0:
        return kept
    floor = _floor(filters.since)
    # With --since a line is parsed for its time, to stop the read; without it, only lines that may match.
    for entry in entries(
        path, stats, newest_first=True, needles=() if floor else needles, folded=() if floor else folded
    ):
        if floor is not None and _older(entry, floor):
            break
        if filters.match(entry):
            kept.append(entry)
            if len(kept) == limit:
                break
    kept.reverse()
    return kept


def _floor(since: str | None) -> datetime | None:
    """How far back a read with --since goes: ``SINCE_SKEW`` before it (None: to the start)."""
    when = timestamps.parse(since)
    try:
        return when - SINCE_SKEW if when else None
    except OverflowError:  # --since within an hour of the year 1: the whole log
        return None


def _older(entry: Mapping[str, Any], floor: datetime) -> bool:
    """The entry's time is before ``floor``; an entry without a readable time is not."""
    when = timestamps.parse(entry.get("time"))
    return when is not None and when < floor


def find(path: Path, entry_id: str) -> dict[str, Any]:
    """The one entry whose id starts with ``entry_id`` (any case, spaces around it ignored). A part of
    an id is looked for in the whole log, which says when it matches more than one entry; a whole id
    from the log's end back to the first entry that has it."""
    entry_id = entry_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{4,32}", entry_id):
        raise UsageError(
            f"invalid audit id {entry_id!r}",
            hint="give at least 4 hex characters of an id from 'akscli audit list'",
        )
    if len(entry_id) >= ID_LENGTH:
        # A whole id names one entry (64 random bits): the newest first, and the read stops there,
        # so showing an entry just listed reads the log's end, not a log of years.
        for entry in entries(path, newest_first=True):
            if str(entry.get("id", "")).startswith(entry_id):
                return entry
        found = []
    else:
        # Every line is read, to say when the part matches more than one entry; only those with
        # '"<part>' in them (the id's quote and first characters) are parsed.
        needle = f'"{entry_id}'.encode()
        found = [e for e in entries(path, needles=(needle,)) if str(e.get("id", "")).startswith(entry_id)]
    if not found:
        raise NotFoundError(
            f"no audit entry with id {entry_id!r} in {path}",
            hint="list ids with 'akscli audit list'",
        )
    if len(found) > 1:
        raise UsageError(
            f"audit id {entry_id!r} matches {len(found)} entries",
            hint="give more characters of the id",
        )
    return found[0]
