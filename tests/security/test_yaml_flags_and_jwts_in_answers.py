"""The shapes of a secret a server's words still showed after audit 36 (akscli.redact.server_text,
the rule of a table's cells, the key/value view, -o json reports, stderr's lines and the error line):

- a YAML line of a secret-named key (``password: hunter2``, ``  - client_secret: "x"``), as a webhook
  or an operator quotes a values file or a ConfigMap (yaml.org/spec/1.2.2 7.3.3 plain scalars);
- a secret-named flag and its value apart (``--password hunter2``), as a failed Job's condition or
  an event quotes a command line;
- a JWT standing alone (an Entra or a service account token): only ``scrub`` (the error line) hid it,
  a table or a report showed it. Azure CLI redacts the same shape in its output
  (Azure/azure-cli src/azure-cli-core/azure/cli/core/credential_helper.py CredentialType.JWT_TOKEN);
- an Azure Storage ``Authorization: SharedKey account:signature`` header unquoted: the scheme was
  taken for the value and the signature shown (learn.microsoft.com/rest/api/storageservices/
  authorize-with-shared-key, "Authorization="[SharedKey|SharedKeyLite] <AccountName>:<Signature>"").

Each form is one test, and each failed before. Ordinary words stay: ``passwordless``, a field error's
``spec.password: Required value``, ``the --token flag is required``, a placeholder, a reference."""

from __future__ import annotations

import pytest

from akscli import redact

PW = "Hunter2-Canary"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXBhcnQ"


def test_a_yaml_line_of_a_password_shows_its_value_masked() -> None:
    said = f"values.yaml rejected:\ndb:\n  user: app\n  password: {PW}\n  port: 5432"
    assert redact.server_text(said) == "values.yaml rejected:\ndb:\n  user: app\n  password: ***\n  port: 5432"


def test_a_yaml_line_keeps_its_comment_and_masks_a_quoted_value_inside_its_quotes() -> None:
    said = f'- client_secret: "{PW}"  # from the vault\n- token: {PW} # rotated'
    assert redact.server_text(said) == '- client_secret: "***"  # from the vault\n- token: *** # rotated'


def test_a_field_errors_message_under_a_password_path_stays() -> None:
    # A number under spec.apiToken is hidden whatever its length since audit 40 (a 4-digit PIN):
    # tests/security/test_plural_pins_go_values_and_file_lines.py; its message stays.
    said = "spec.password: Required value\nspec.apiToken: Invalid value: 3: must be a string"
    told = "spec.password: Required value\nspec.apiToken: Invalid value: ***: must be a string"
    assert redact.server_text(said) == told


def test_a_flag_and_its_value_apart_shows_the_value_masked() -> None:
    said = f"Job failed: command python serve.py --password {PW} --port 8000 exited 1"
    assert redact.server_text(said) == "Job failed: command python serve.py --password *** --port 8000 exited 1"


def test_a_quoted_value_after_a_secret_flag_is_masked_whole() -> None:
    said = f"args: --client-secret '{PW} x' --tenant t"
    assert redact.server_text(said) == "args: --client-secret '***' --tenant t"


def test_a_jwt_standing_alone_in_a_servers_words_is_masked() -> None:
    assert redact.server_text(f"token {JWT} expired") == "token *** expired"


def test_a_shared_key_authorization_header_keeps_its_scheme_and_masks_account_and_signature() -> None:
    said = f"403: Authorization: SharedKey acct:{PW}= was refused"
    assert redact.server_text(said) == "403: Authorization: SharedKey *** was refused"


@pytest.mark.parametrize(
    "said",
    [
        "passwordless sign-in is on for this pool",
        "the --token flag is required",
        "use --password-file /etc/pw or --secret-name db-creds",
        "password: $DB_PASSWORD",
        "password: <set me>",
        "password: |",
        "secretName: db-creds",
        "key: nvidia.com/gpu",
        "node-pool-token-rotation succeeded",
    ],
)
def test_ordinary_words_placeholders_and_references_stay(said: str) -> None:
    assert redact.server_text(said) == said


def test_the_error_line_hides_the_yaml_password_and_the_spaced_flag_too() -> None:
    said = f"webhook denied: config\n  password: {PW}\ncommand: run --api-key {PW}"
    assert PW not in redact.scrub(said)


def test_the_name_of_the_access_secret_in_a_hint_stays() -> None:
    said = "then add --access-secret hf-token, and --password ***"
    assert redact.server_text(said) == said
