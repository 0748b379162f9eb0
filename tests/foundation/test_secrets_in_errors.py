"""A Secret's data never reaches an error message: a file that fails to parse is named by line and
column, never quoted (kubectl: "yaml: line 5: mapping values are not allowed in this context")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import invoke

BROKEN_SECRETS = {
    "a value with a colon in it": (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: TOPSECRET1: x\n",
        "line 5, column 23: mapping values are not allowed here",
    ),
    "a key given twice": (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: TOPSECRET1\n"
        "  password: TOPSECRET2\n",
        'line 6, column 3: found duplicate key "password"',
    ),
    "an unclosed quote": (
        'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: "TOPSECRET1\n',
        "line 6, column 1: found unexpected end of stream",
    ),
}


@pytest.mark.parametrize("command", [["apply", "--dry-run=client"], ["policy", "check"]])
@pytest.mark.parametrize("case", sorted(BROKEN_SECRETS))
def test_a_manifest_that_does_not_parse_is_named_by_line_not_quoted(
    command: list[str], case: str, tmp_path: Path
) -> None:
    text, where = BROKEN_SECRETS[case]
    manifest = tmp_path / "secret.yaml"
    manifest.write_text(text)
    result = invoke(*command, "-f", str(manifest))
    assert result.exit_code == 2, result
    assert where in result.stderr
    assert "TOPSECRET" not in result.stderr + result.stdout


def test_a_kubeconfig_that_does_not_parse_does_not_show_its_token(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: TOPSECRET1: x\n")
    result = invoke("model", "list", "--kubeconfig", str(config))
    assert result.exit_code == 2, result
    assert "line 6" in result.stderr
    assert "TOPSECRET" not in result.stderr + result.stdout
