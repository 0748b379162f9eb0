"""A flag or variable named like a secret may point at the secret rather than hold it:
``--password-file /etc/pw``, ``--secret-name db``, ``--hf-token-path ./token``,
``POSTGRES_PASSWORD_FILE=/run/secrets/pw`` (the Docker Official Images' ``_FILE`` convention:
docker-library/postgres docker-entrypoint.sh file_env), ``AZURE_FEDERATED_TOKEN_FILE`` (the
workload identity webhook's path). Where the name's last word says so (FILE, PATH, DIR, NAME, REF)
and the value is plainly a path or a Kubernetes name, the value is shown: in a printed command
line, a container's args, an env value, the audit log; nothing else changes
(akscli.secret_words.is_reference, the one rule). Any other value of such a flag is still taken
for the secret."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import audit_argv, printable, secret_words
from akscli.policy import engine as policy
from akscli.printable import masked_command

SHOWN = [
    "python t.py --password-file /etc/pw",
    "python t.py --password-file=/etc/pw",
    "python t.py --secret-name db-creds",
    "python t.py --hf-token-path ./token",
    "python t.py --secret-ref serving/db-creds",
    "python t.py --api-key-file ~/.keys/openai",
    "TOKEN_FILE=/run/secrets/t python t.py",
    "sh -c 'python t.py --password-file /etc/pw'",
]


@pytest.mark.parametrize("entrypoint", SHOWN)
def test_a_secret_named_flag_that_points_at_a_file_or_a_name_keeps_its_value(entrypoint: str) -> None:
    assert masked_command(entrypoint) == entrypoint


@pytest.mark.parametrize(
    ("entrypoint", "shown"),
    [
        ("python t.py --password-file hunter2!", "python t.py --password-file ***"),
        ("python t.py --secret-name Hunter2Secret", "python t.py --secret-name ***"),
        ("python t.py --file-password /etc/pw", "python t.py --file-password ***"),
        ("python t.py --token /etc/pw", "python t.py --token ***"),
        ("python t.py --access-secret hf-token", "python t.py --access-secret ***"),
        ("python t.py --token-file=0123456789abcdef0123456789abcdef", "python t.py --token-file=***"),
    ],
    ids=[
        "not a path",
        "upper case is no name",
        "the secret word last",
        "no reference word",
        "a programs own",
        "a hex key",
    ],
)
def test_any_other_value_of_a_secret_named_flag_is_still_masked(entrypoint: str, shown: str) -> None:
    assert masked_command(entrypoint) == shown


def test_a_containers_password_file_argument_is_printed_as_it_is() -> None:
    args = ["--password-file", "/etc/pw", "--secret-name", "db"]
    container = {"name": "c", "image": "app", "args": args}
    shown = printable.shown(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [container]}}, "yaml"
    )
    assert shown["spec"]["containers"][0]["args"] == args


def pod_with_env(name: str, value: str) -> dict[str, Any]:
    container = {"name": "c", "image": "app", "env": [{"name": name, "value": value}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [container]}}


def test_the_workload_identity_token_file_variable_is_printed_with_its_path() -> None:
    path = "/var/run/secrets/azure/tokens/azure-identity-token"
    shown = printable.shown(pod_with_env("AZURE_FEDERATED_TOKEN_FILE", path), "yaml")
    assert shown["spec"]["containers"][0]["env"][0]["value"] == path


def test_an_env_value_of_a_password_file_variable_that_is_no_path_is_masked() -> None:
    shown = printable.shown(pod_with_env("POSTGRES_PASSWORD_FILE", "hunter2!"), "yaml")
    assert shown["spec"]["containers"][0]["env"][0]["value"] == "***"


def test_the_policy_takes_a_password_file_variable_for_no_plain_secret() -> None:
    findings = policy.evaluate([pod_with_env("POSTGRES_PASSWORD_FILE", "/run/secrets/pw")], policy.PolicyConfig())
    assert "env-plain-secret" not in {f.rule for f in findings}


def test_the_audit_log_keeps_the_path_of_a_token_file_flag() -> None:
    argv = ["token", "--login", "workloadidentity", "--federated-token-file", "/var/run/t", "--client-secret", "s3"]
    assert audit_argv.redact_argv(argv) == [*argv[:-1], "<redacted>"]


def test_the_audit_log_keeps_a_secret_name_given_with_an_equals_sign() -> None:
    assert audit_argv.redact_argv(["x", "--secret-name=db-creds", "--token=abc"]) == [
        "x",
        "--secret-name=db-creds",
        "--token=<redacted>",
    ]


@pytest.mark.parametrize(
    ("name", "value"), [("--password-file", "/etc/pw"), ("SECRET_NAME", "db"), ("tokenPath", "./t")]
)
def test_the_rule_reads_the_names_last_word_and_the_values_shape(name: str, value: str) -> None:
    assert secret_words.is_reference(name, value)
    assert not secret_words.holds_secret(name, value)
