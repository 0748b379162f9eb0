"""The four shapes of a secret audit 37 left showing in a server's words (akscli.redact.server_text,
the rule of a table's cells, the key/value view, -o json reports and stderr's lines; scrub, the error
line's, reads them the same):

- a YAML block scalar under a secret-named key (``password: |`` and the lines below it), as a webhook
  or an operator quotes a values file: its content lines (yaml.org/spec/1.2.2 8.1.1; yaml/pyyaml
  lib/yaml/scanner.py scan_block_scalar, content more indented than the key);
- an upper-case password (``password: HUNTER22``), taken for a placeholder as ``TOKEN`` is;
- a lower-case password after a spaced flag (``--password hunter``), taken for prose;
- a field error's value under a secret-named path (``spec.password: Invalid value: "hunter2": ...``:
  kubernetes/apimachinery pkg/util/validation/field/errors.go ErrorBody, %q after "Invalid value").

Each failed before. The guards hold what must stay: prose after a flag, placeholders, a block scalar
under another key, a field error about another field or one that gives only a schema type."""

from __future__ import annotations

import pytest

from akscli import redact

PW = "Hunter2-Canary"


def test_a_literal_block_scalar_under_a_password_shows_each_line_masked_at_its_indent() -> None:
    said = f"values rejected:\ndb:\n  password: |\n    {PW}\n    second-line\n\n    third\n  port: 5432"
    shown = "values rejected:\ndb:\n  password: |\n    ***\n    ***\n\n    ***\n  port: 5432"
    assert redact.server_text(said) == shown
    assert PW not in redact.scrub(said)


@pytest.mark.parametrize("header", [">-", "|2", "|+", ">", "|-  # from the vault", "!!str |"])
def test_a_block_scalar_with_any_header_in_a_sequence_item_is_masked(header: str) -> None:
    said = f"- name: db\n  client_secret: {header}\n    {PW}\n- name: cache"
    assert redact.server_text(said) == f"- name: db\n  client_secret: {header}\n    ***\n- name: cache"


def test_a_block_scalar_at_the_top_level_runs_to_the_next_key() -> None:
    said = f"token: >\n {PW}\nnext: value"
    assert redact.server_text(said) == "token: >\n ***\nnext: value"


@pytest.mark.parametrize(
    "said",
    [
        "script: |\n  echo hunter\n  exit 1",  # another key's block
        "password: |\n  $DB_PASSWORD",  # a placeholder
        "password: |\nnext: x",  # no content
        "passwordless: |\n  on for this pool",
    ],
)
def test_a_block_scalar_under_another_key_or_of_a_placeholder_stays(said: str) -> None:
    assert redact.server_text(said) == said


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("password: HUNTER22", "password: ***"),
        ("dsn user=app password=HUNTER22 db=x", "dsn user=app password=*** db=x"),
        ('{"api_key": "S3CRET"}', '{"api_key": "***"}'),
        ("run --token HUNTER", "run --token ***"),
        ("Authorization: Bearer HUNTERSECRET2", "Authorization: Bearer ***"),
    ],
)
def test_an_upper_case_password_is_masked(said: str, shown: str) -> None:
    assert redact.server_text(said) == shown


@pytest.mark.parametrize(
    "said",
    [
        "pass --token=TOKEN or --password=DB_PASSWORD",
        "api-key: KEY1",
        "password: CHANGEME",
        "client_secret: YOUR_CLIENT_SECRET",
        "password=XXXXXXXX",
        "token: REDACTED",
        "Authorization: Bearer TOKEN",
        "needs --access-secret NAME (a Secret with key HF_TOKEN)",  # akscli's own hint
        "usage: akscli token [--client-secret S | --client-certificate-password P]",  # metavars
    ],
)
def test_an_upper_case_placeholder_that_names_what_goes_there_stays(said: str) -> None:
    assert redact.server_text(said) == said


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        (
            "Job failed: python serve.py --password hunter --port 8000",
            "Job failed: python serve.py --password *** --port 8000",
        ),
        ("exec: login --client-secret swordfish.", "exec: login --client-secret ***."),
    ],
)
def test_a_lower_case_password_after_a_spaced_flag_is_masked(said: str, shown: str) -> None:
    assert redact.server_text(said) == shown


@pytest.mark.parametrize(
    "said",
    [
        "the --token flag is required",
        "a --client-secret there is kept in the kubeconfig",
        "as do --client-secret and --tenant",
        "--password is deprecated, use --password-file instead",
        "set --api-key or --token, not both",
        "the --access-secret names a Secret",
    ],
)
def test_prose_after_a_secret_flag_stays(said: str) -> None:
    assert redact.server_text(said) == said


FIELD_ERRORS = {
    "alone": (
        f"spec.password: Invalid value: \"{PW}\": spec.password in body should match '^[a-z]+$'",
        "spec.password: Invalid value: \"***\": spec.password in body should match '^[a-z]+$'",
    ),
    "in an aggregate": (
        f'Workspace "w" is invalid: [spec.auth.clientSecret: Invalid value: "{PW}": too short, '
        'spec.replicas: Invalid value: "abc": must be an integer]',
        'Workspace "w" is invalid: [spec.auth.clientSecret: Invalid value: "***": too short, '
        'spec.replicas: Invalid value: "abc": must be an integer]',
    ),
    "a map key": (
        f'ConfigMap "c" is invalid: data[token]: Unsupported value: "{PW}": supported values: "a", "b"',
        'ConfigMap "c" is invalid: data[token]: Unsupported value: "***": supported values: "a", "b"',
    ),
    "a format repeats it": (
        f'spec.apiToken: Invalid value: "{PW}": spec.apiToken in body must be of type uuid: "{PW}"',
        'spec.apiToken: Invalid value: "***": spec.apiToken in body must be of type uuid: "***"',
    ),
    "an index before it": (
        f'spec.users[0].password: Duplicate value: "{PW}"',
        'spec.users[0].password: Duplicate value: "***"',
    ),
    "a lower-case word": (
        'spec.password: Invalid value: "hunter": failed rule',
        'spec.password: Invalid value: "***": failed rule',
    ),
}


@pytest.mark.parametrize(("said", "shown"), FIELD_ERRORS.values(), ids=FIELD_ERRORS.keys())
def test_a_field_errors_value_under_a_secret_named_path_is_masked(said: str, shown: str) -> None:
    assert redact.server_text(said) == shown
    assert PW not in redact.scrub(said)


@pytest.mark.parametrize(
    "said",
    [
        'metadata.name: Invalid value: "my-token-store": a lowercase RFC 1123 subdomain must consist of',
        'spec.password: Invalid value: "string": failed rule: self.size() > 12',  # CEL gives the type
        'spec.password: Invalid value: "object": spec.password in body must be of type string: "object"',
        "spec.password: Required value",
        "spec.tokenTTL: Invalid value: 3: must be at least 60",
        'spec.mode: Unsupported value: "fast": supported values: "slow"',
    ],
)
def test_a_field_error_about_another_field_or_with_no_value_stays(said: str) -> None:
    assert redact.server_text(said) == said


@pytest.mark.parametrize(
    "said",
    [
        "passwordless sign-in is on for this pool",
        "Tokens per second: 42 (PASS)",
        "the key vault SECRET is rotated nightly",
        "step: Invalid value counted; token budget OK",
        "KEY: nvidia.com/gpu, Operator: Exists",
        "pool uses --enable-secret-rotation and --rotation-poll-interval 2m",
    ],
)
def test_ordinary_words_stay(said: str) -> None:
    assert redact.server_text(said) == said
