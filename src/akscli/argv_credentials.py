"""Credentials in the command line of a job's own command, as the audit log records it
(``akscli ray job submit -- curl -u alice:PASSWORD URL``, or the same inside ``sh -c '...'``).

A flag means another thing to each program, so each rule below is one program's, from its manual:

* ``-u``/``--user USER:PASSWORD``, any program: curl's server credentials (curl(1) ``-u, --user
  <user:password>``; without a colon curl asks for the password, so nothing is hidden then). The
  part after the first colon is hidden, the user name stays. ``-u 1000:1000`` (two numbers, docker
  and podman run's ``--user UID:GID``) is kept, and docker, podman and nerdctl's ``-u`` is never
  hidden (``NAME[:GROUP]``).
* curl(1): ``-U``/``--proxy-user`` as ``-u``; ``-E``/``--cert``/``--proxy-cert <certificate[:password]>``
  (the part after the colon); ``--oauth2-bearer <token>``, ``--pass``/``--proxy-pass <phrase>`` whole.
* mysql(1) and the MySQL and MariaDB clients: ``-pPASSWORD``, attached (the manual: "you cannot have
  a space between the option and the password"; ``-p NAME`` with a space names the database).
* sshpass(1) ``-p PASSWORD``; redis-cli ``-a PASSWORD``; ``docker|podman|nerdctl|helm|oras login -p
  PASSWORD`` (``-p`` is ``--publish`` to docker run, so only after ``login``).
* Any program's flag named like a secret (``--password``, ``--http-password=``, ``--token``:
  akscli.secret_words.is_secret_name): its value whole; so is a ``NAME=VALUE`` word whose name is
  one (``PGPASSWORD=X psql``, psql's conninfo ``"host=db password=X"``). A name that says it
  points at the secret, with a value that is plainly a path or an object's name, keeps its value
  (``--password-file /etc/pw``, ``--secret-name db``: akscli.secret_words.is_reference). Short
  flags run together end in the one that takes the value (curl ``-su USER:PASSWORD`` is ``-s -u``).
* ``USER:PASSWORD@HOST`` without a scheme (git's scp form, curl's URL without ``https://``): the
  password. A digest (``image:tag@sha256:...``) is no password. A URL with a scheme is left to
  akscli.redact.url_credentials.

Words are read as the shell splits them; a text argument (``sh -c 'SCRIPT'``, an entrypoint) is
split the same way, quotes included, and rebuilt with only the hidden words changed. Plain data
in, plain data out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence

from akscli.secret_words import holds_secret, is_reference, is_secret_name

REDACTED = "<redacted>"

_WRAPPERS = frozenset({"sudo", "env", "exec", "nohup", "time", "command", "xargs"})
_SEPARATORS = frozenset({";", "&", "&&", "||", "|", "(", ")", "{", "}"})
_MYSQL = frozenset(
    {"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow", "mysqlcheck", "mariadb", "mariadb-dump"}
)
_LOGIN_TOOLS = frozenset({"docker", "podman", "nerdctl", "helm", "oras"})

# How a flag's value is hidden: "pair" hides what follows USER's colon, "whole" the value.
_EVERY_TOOL = {"-u": "pair", "--user": "pair"}
_BY_TOOL: dict[str, dict[str, str]] = {
    "curl": {
        "-U": "pair",
        "--proxy-user": "pair",
        "-E": "pair",
        "--cert": "pair",
        "--proxy-cert": "pair",
        "--oauth2-bearer": "whole",
        "--pass": "whole",
        "--proxy-pass": "whole",
    },
    "sshpass": {"-p": "whole"},
    # docker run's -u/--user is NAME|UID[:GROUP|GID] (docker/cli docs/reference/commandline/container_run.md)
    **{tool: {"-u": "", "--user": ""} for tool in ("docker", "podman", "nerdctl")},
    "redis-cli": {"-a": "whole"},
}
# Short flags whose value may be attached (-uUSER:PASSWORD): the rules above, and mysql's -p.
_ATTACHED_ONLY = {tool: {"-p": "whole"} for tool in _MYSQL}

# Variables a client reads its password from, by their programs' manuals: libpq's PGPASSWORD
# (PostgreSQL docs, libpq-envars), MySQL's MYSQL_PWD, redis-cli's REDISCLI_AUTH, sshpass -e's SSHPASS.
_PASSWORD_VARIABLES = frozenset({"PGPASSWORD", "MYSQL_PWD", "REDISCLI_AUTH", "SSHPASS"})
_ASSIGNMENT = re.compile(r"([A-Za-z_][\w.-]*)=")
_USERINFO = re.compile(r"(?<![\w/@:.%+-])([\w.%+-]+):([^\s/@:]+)@(?!sha\d+:)(?=[\w\[])")
_SPACE = re.compile(r"\s")
_TOKEN = re.compile(r"""(?:[^\s'"\\;&|()]|\\.|'[^']*'|"(?:\\.|[^"\\])*")+|[;&|()]+|\n""")


def redacted(argv: Sequence[str]) -> list[str]:
    """``argv`` with the credentials of the commands it holds hidden; a word with white space in it
    is read as a shell script."""
    return [_script(word) if any(c.isspace() for c in word) else word for word in _words(argv)]


def _words(words: Sequence[str], script: bool = False, mask: str = REDACTED) -> list[str]:
    """``words`` with the credentials hidden. A flag named like a secret is hidden here only in a
    script: akscli.audit_argv.redact_argv hides the argv's own, and keeps ``--access-secret NAME``."""
    out = list(words)
    tool = ""
    login = False
    pending = named_flag = ""
    for i, word in enumerate(words):
        if pending:
            if not (named_flag and is_reference(named_flag, word)):  # --password-file /etc/pw is shown
                out[i] = _hidden(word, pending, mask)
            pending = named_flag = ""
            continue
        if word in _SEPARATORS or word in ("\n", "--"):  # `ray job submit -- CMD`: CMD is a program
            tool, login = "", False
            continue
        assignment = _ASSIGNMENT.match(word) if not any(c.isspace() for c in word) else None  # a script: _script
        if assignment and (
            holds_secret(assignment.group(1), word[assignment.end() :]) or assignment.group(1) in _PASSWORD_VARIABLES
        ):  # PGPASSWORD=X psql, psql "password=X"; TOKEN_FILE=/run/t is shown
            out[i] = f"{assignment.group(1)}={mask}"
            continue
        if not tool:
            if word in _WRAPPERS or assignment:
                continue
            tool = os.path.basename(word)
            continue
        login = login or (tool in _LOGIN_TOOLS and word == "login")
        if not word.startswith("-") or word == "-":
            out[i] = _USERINFO.sub(lambda m: f"{m.group(1)}:{mask}@", word)
            continue
        rules = {**_EVERY_TOOL, **_BY_TOOL.get(tool, {}), **({"-p": "whole"} if login else {})}
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        # A flag named like a secret, by its name only: --password-file /etc/pw keeps its path
        named = not rules.get(name) and script and name.startswith("--") and is_secret_name(name.lstrip("-"))
        how = rules.get(name) or ("whole" if named else "")
        if how and eq and not (named and is_reference(name, value)):
            out[i] = f"{name}={_hidden(value, how, mask)}"
        elif how and not eq:
            pending, named_flag = how, name if named else ""
        elif not word.startswith("--") and len(word) > 2:
            flag, attached = word[:2], word[2:]
            how = {**rules, **_ATTACHED_ONLY.get(tool, {})}.get(flag, "")
            if how:
                out[i] = flag + _hidden(attached, how, mask)
            elif word[1:-1].isalpha() and rules.get("-" + word[-1]):  # curl -su USER:PASSWORD: -s -u
                pending = rules["-" + word[-1]]
    return out


def _hidden(value: str, how: str, mask: str) -> str:
    if how == "whole":
        return mask
    user, colon, secret = value.partition(":")
    if not colon or not secret or (user.isdigit() and secret.isdigit()):
        return value
    return f"{user}:{mask}"


def _script(
    text: str, mask: str = REDACTED, shape: Callable[[str], str] | None = None, found: list[str] | None = None
) -> str:
    """``text`` read as a shell script: each word whose value holds a credential replaced by
    ``mask``; with ``shape``, also each word as ``shape`` shows it (``mask``, or the word with only
    its credential masked: a URL's password), and the credentials of a word that is itself a
    script (``sh -c '...'``), that word quoted again. ``found`` gathers what was hidden."""
    matches = list(_TOKEN.finditer(text))
    values = [_unquoted(m.group()) for m in matches]
    shown = _words(values, script=True, mask=mask)
    if shape is not None:
        shown = [_shaped(value, now, mask, shape, found) for value, now in zip(values, shown, strict=True)]
    if shown == values:
        return text
    parts = []
    end = 0
    for match, value, now in zip(matches, values, shown, strict=True):
        parts.append(text[end : match.start()])
        parts.append(match.group() if now == value else now)
        end = match.end()
    return "".join(parts) + text[end:]


def _shaped(
    value: str, now: str, mask: str, shape: Callable[[str], str], found: list[str] | None, quote: bool = True
) -> str:
    if now == value and _SPACE.search(value):
        import shlex

        inner = _script(value, mask, shape, found)
        if inner != value:
            return shlex.quote(inner) if quote else inner
    if now == value:  # also a word with spaces: -H "Authorization: Bearer T"
        now = shape(value)
    if now != value and found is not None:
        head, _, tail = now.partition(mask)  # the word less its hidden part
        found.append(value[len(head) : len(value) - len(tail)])
    return now


def command_line(text: str, mask: str, shape: Callable[[str], str], found: list[str] | None = None) -> str:
    """``text``, a command line a job runs (a RayJob's ``spec.entrypoint``, which KubeRay's
    submitter hands to ``ray job submit -- ENTRYPOINT``), as it is printed: read as a shell script,
    each word that holds a credential by the rules above written as ``mask``, each other word as
    ``shape`` shows it (``mask`` for a token, only the password of a URL that holds one), the
    rest as it was written. ``found``, when given, gathers the hidden values."""
    return _script(text, mask, shape, found)


def command_words(
    words: Sequence[str], mask: str, shape: Callable[[str], str], found: list[str] | None = None
) -> list[str]:
    """command_line for a command given as its words (a container's ``command`` and ``args``): each
    word that holds a credential written as ``mask``, a word that is a script (``sh -c SCRIPT``)
    read as command_line reads one. ``found``, when given, gathers the hidden values."""
    shown = _words(words, script=True, mask=mask)
    return [_shaped(value, now, mask, shape, found, quote=False) for value, now in zip(words, shown, strict=True)]


def _unquoted(token: str) -> str:
    if token == "\n" or not any(c in token for c in "'\"\\"):
        return token
    import shlex

    try:
        return "".join(shlex.split(token))
    except ValueError:
        return token
