"""A secret given as a ``--set`` value of ``akscli render`` is on akscli's own command line, which
``ps`` and the shell's history show: a warning says so without the value and names the file form.
Keys that name a Secret (a template's ``access_secret``) hold no secret and give no warning. The same
rule for ``ray job submit --env`` is in tests/ray/test_job_env_secrets.py."""

from __future__ import annotations

from akscli.secret_hints import secret_keys
from tests.cli import invoke
from tests.foundation.test_render_values import vllm_args

TOKEN = "hf_" + "a1B2c3D4e5F6g7H8i9J0k1L2"


def test_a_token_in_a_render_set_value_warns_without_showing_it() -> None:
    result = invoke(*vllm_args("--set", f"vllm_args={{--model,org/m,--api-key,{TOKEN}}}"))
    assert result.exit_code == 0, result
    assert result.stderr.startswith(
        "warning: --set vllm_args=... looks like a secret (the value is not shown): ps and the shell's history "
        "show akscli's command line; put it in a values file instead (akscli render model/vllm --values FILE)"
    ), result.stderr
    assert TOKEN not in result.stderr


def test_a_render_set_that_names_a_secret_gives_no_warning() -> None:
    result = invoke(*vllm_args("--set", "access_secret=hf-token"))
    assert result.exit_code == 0, result
    assert "looks like a secret" not in result.stderr


def test_secret_keys_reads_names_and_values_and_never_returns_a_value() -> None:
    pairs = ["HF_TOKEN=x", "EPOCHS=3", f"CONFIG={TOKEN}", "HF_TOKEN=y", "NO_EQUALS_TOKEN"]
    assert secret_keys(pairs) == ["HF_TOKEN", "CONFIG"]
    assert secret_keys(pairs, by_name=False) == ["CONFIG"]
