"""A server's answer that quotes a value under a secret's name (a connection string's ``password=``, a
JSON body's ``"password": "..."``, a Kubernetes env entry, an ``Authorization`` header) shows ``***``
for the value wherever akscli prints it: error lines, ``--debug`` lines and the audit log's result
(redact.scrub), warnings and plans (statuslines), and a table's cells or a key/value view on stdout,
such as the conditions and events of ``model status`` (redact.server_text). The value was a bare
word before: only tokens of a published shape were hidden in an answer about an object akscli did
not send. kubectl prints such an answer as it came; client-go's own debug log keeps an
Authorization header's scheme and masks the rest (kubernetes/client-go transport/round_trippers.go
maskValue), as here. A placeholder (``--token=TOKEN``, ``$HF_TOKEN``), a reference to the secret
(``--password-file=/etc/pw``, ``secretName=db-creds``) and a boolean stay as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import output, redact
from tests.security.test_container_args_error_lines import refused_apply

PW = "Hunter2-Canary"
ANSWERS = {
    "libpq keyword/value": (
        f"pq: password authentication failed: dsn host=db user=app password={PW} dbname=chat",
        "pq: password authentication failed: dsn host=db user=app password=*** dbname=chat",
    ),
    "ado.net connection string": (
        f"cannot open Server=tcp:x.database.windows.net;User ID=app;Password={PW}!;Encrypt=true",
        "cannot open Server=tcp:x.database.windows.net;User ID=app;Password=***;Encrypt=true",
    ),
    "quoted value": (f"DSN password='{PW} x' user=app", "DSN password='***' user=app"),
    "json body": (
        f'admission webhook "v.policy.io" denied the request: body {{"user": "app", "password": "{PW}"}}',
        'admission webhook "v.policy.io" denied the request: body {"user": "app", "password": "***"}',
    ),
    "json in a json string": (
        f'Internal error occurred: {{\\"client_secret\\":\\"{PW}\\",\\"tenant\\":\\"t\\"}}',
        'Internal error occurred: {\\"client_secret\\":\\"***\\",\\"tenant\\":\\"t\\"}',
    ),
    "python dict": (
        f"runtime_env {{'API_KEY': '{PW}', 'MODE': 'fast'}}",
        "runtime_env {'API_KEY': '***', 'MODE': 'fast'}",
    ),
    "kubernetes env entry": (
        f'denied: env {{"name":"DB_PASSWORD","value":"{PW}"}}, {{"name":"MODE","value":"fast"}}',
        'denied: env {"name":"DB_PASSWORD","value":"***"}, {"name":"MODE","value":"fast"}',
    ),
    "go struct of an env entry": (
        f'env[0]: Invalid value: core.EnvVar{{Name:"HF_TOKEN", Value:"{PW}", ValueFrom:nil}}',
        'env[0]: Invalid value: core.EnvVar{Name:"HF_TOKEN", Value:"***", ValueFrom:nil}',
    ),
    "flag with equals": (
        f"driver exited: python t.py --api-key={PW} (code 1)",
        "driver exited: python t.py --api-key=*** (code 1)",
    ),
    "query and sentence": (f"see /v1/models?token={PW}).", "see /v1/models?token=***)."),
    "authorization bearer": (f"sent Authorization: Bearer {PW} to vllm", "sent Authorization: Bearer *** to vllm"),
    "authorization other scheme": (f'"Authorization": "SharedKey acct:{PW}"', '"Authorization": "***"'),
    "azure openai api-key": (f"401: header api-key: {PW} is invalid", "401: header api-key: *** is invalid"),
    "ai services subscription key": (
        f"Ocp-Apim-Subscription-Key: {PW} rejected",
        "Ocp-Apim-Subscription-Key: *** rejected",
    ),
}


@pytest.mark.parametrize(("answer", "shown"), ANSWERS.values(), ids=ANSWERS.keys())
def test_a_value_under_a_secrets_name_in_an_answer_is_hidden(answer: str, shown: str) -> None:
    assert redact.server_text(answer) == shown
    assert PW not in redact.scrub(answer)


@pytest.mark.parametrize(
    "text",
    [
        "pass --token=TOKEN, or --password=$DB_PASSWORD",  # placeholders in a hint
        "--password-file=/etc/pw and secretName=db-creds",  # references to the secret
        "automountServiceAccountToken=false, tokenExpirationSeconds=3600",
        "tokenizer=fast keys=3 key=value",  # no secret's name
        "HF_TOKEN=*** and api-key: <redacted>",  # already masked
        '{"name":"MODE","value":"fast"}',
        'presetOptions: {"modelAccessSecret": "hf-token"} -> (none)',  # KAITO's field names a Secret
    ],
)
def test_a_placeholder_a_reference_or_another_name_is_kept(text: str) -> None:
    assert redact.server_text(text) == text


def test_a_warning_that_quotes_a_password_hides_it(capsys: pytest.CaptureFixture[str]) -> None:
    output.warn(f"KAITO says: pull failed with password={PW}")
    assert capsys.readouterr().err.endswith("KAITO says: pull failed with password=***\n")


def test_a_table_cell_hides_a_password(capsys: pytest.CaptureFixture[str]) -> None:
    output.print_table(["TYPE", "MESSAGE"], [["Ready", f"dsn password={PW} refused"]])
    out = capsys.readouterr().out
    assert "dsn password=*** refused" in out and PW not in out


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_webhook_answer_that_quotes_an_env_password_akscli_never_sent_reaches_no_output(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    message = f'denied: Deployment web has {{"name":"DB_PASSWORD","value":"{PW}"}} in plain text'
    result, log = refused_apply(kube_emulator, tmp_path, obj, r"/configmaps/c$", message, flags)
    assert '{"name":"DB_PASSWORD","value":"***"}' in result.stderr, result
    assert PW not in result.stdout + result.stderr + log
