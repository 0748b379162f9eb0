"""The audit log's command line keeps no password a job's own command passes by a program's flag:
each rule is that program's, from its manual (akscli.argv_credentials). The user name stays, so the
log still says who the job signed in as; the same flag of another program, or a value of another
shape, is kept."""

from __future__ import annotations

import pytest

from akscli import audit_argv

PASSWORD = "CanaryPass-41d9"
HEAD = ["ray", "job", "submit", "--cluster", "rc", "--"]

HIDDEN = {
    "curl -u": (
        ["curl", "-u", f"alice:{PASSWORD}", "https://svc/v1"],
        ["curl", "-u", "alice:<redacted>", "https://svc/v1"],
    ),
    "curl --user=": (["curl", f"--user=alice:{PASSWORD}", "u"], ["curl", "--user=alice:<redacted>", "u"]),
    "curl -u attached": (["curl", f"-ualice:{PASSWORD}", "u"], ["curl", "-ualice:<redacted>", "u"]),
    "curl --proxy-user": (
        ["curl", "--proxy-user", f"p:{PASSWORD}", "u"],
        ["curl", "--proxy-user", "p:<redacted>", "u"],
    ),
    "curl --oauth2-bearer": (
        ["curl", "--oauth2-bearer", PASSWORD, "u"],
        ["curl", "--oauth2-bearer", "<redacted>", "u"],
    ),
    "mysql -pPASSWORD": (["mysql", "-h", "db", f"-p{PASSWORD}", "runs"], ["mysql", "-h", "db", "-p<redacted>", "runs"]),
    "sshpass -p": (["sshpass", "-p", PASSWORD, "ssh", "h"], ["sshpass", "-p", "<redacted>", "ssh", "h"]),
    "redis-cli -a": (["redis-cli", "-a", PASSWORD, "ping"], ["redis-cli", "-a", "<redacted>", "ping"]),
    "docker login -p": (["docker", "login", "-p", PASSWORD, "r.io"], ["docker", "login", "-p", "<redacted>", "r.io"]),
    "wget --http-password": (
        ["wget", "--http-password", PASSWORD, "u"],
        ["wget", "--http-password", "<redacted>", "u"],
    ),
    "curl -su (-s -u)": (["curl", "-su", f"alice:{PASSWORD}", "u"], ["curl", "-su", "alice:<redacted>", "u"]),
    "env PGPASSWORD=": (["env", f"PGPASSWORD={PASSWORD}", "psql"], ["env", "PGPASSWORD=<redacted>", "psql"]),
    "psql conninfo": (["psql", f"host=db password={PASSWORD}"], ["psql", "host=db password=<redacted>"]),
    "user:pass@ without a scheme": (
        ["git", "clone", f"alice:{PASSWORD}@git.example.com:org/repo"],
        ["git", "clone", "alice:<redacted>@git.example.com:org/repo"],
    ),
}


@pytest.mark.parametrize(("command", "recorded"), HIDDEN.values(), ids=HIDDEN.keys())
def test_a_programs_password_flag_is_hidden_and_the_user_kept(command: list[str], recorded: list[str]) -> None:
    assert audit_argv.redact_argv([*HEAD, *command]) == [*HEAD, *recorded]


def test_a_shell_script_is_read_word_by_word_and_only_the_passwords_change() -> None:
    script = f"curl -u 'alice:{PASSWORD}' https://svc/v1 && mysql -p{PASSWORD} runs; echo done"
    recorded = audit_argv.redact_argv([*HEAD, "sh", "-c", script])
    assert recorded[-1] == "curl -u alice:<redacted> https://svc/v1 && mysql -p<redacted> runs; echo done"


def test_a_password_variable_before_a_scripts_command_is_hidden_and_the_command_kept() -> None:
    recorded = audit_argv.redact_argv([*HEAD, "sh", "-c", f"PGPASSWORD={PASSWORD} psql -h db -c 'select 1'"])
    assert recorded[-1] == "PGPASSWORD=<redacted> psql -h db -c 'select 1'"


KEPT = {
    "mysql -p NAME names the database": ["mysql", "-p", "runs"],
    "docker run -p publishes a port": ["docker", "run", "-p", "8080:80", "img"],
    "docker run -u UID:GID": ["docker", "run", "-u", "1000:1000", "img"],
    "curl -u without a colon asks for the password": ["curl", "-u", "alice", "https://svc"],
    "an image digest": ["docker", "pull", "nginx:1.27@sha256:0123abcd"],
    "ssh user@host": ["ssh", "alice@h.example.com", "ls"],
    "docker run -u NAME:GROUP": ["docker", "run", "-u", "app:app", "img"],
}


@pytest.mark.parametrize("command", KEPT.values(), ids=KEPT.keys())
def test_a_flag_or_word_of_another_meaning_is_kept(command: list[str]) -> None:
    assert audit_argv.redact_argv([*HEAD, *command]) == [*HEAD, *command]
