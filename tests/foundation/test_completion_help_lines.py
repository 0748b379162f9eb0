"""`akscli completion --help` gives each shell's set-up line on a line of its own: click re-wraps a
docstring paragraph, which ran the four shells' commands together into one block that could not
be copied from (bash's line ended inside zsh's)."""

from __future__ import annotations

from tests.cli import invoke


def test_each_shells_set_up_line_is_a_line_of_its_own() -> None:
    result = invoke("completion", "--help")
    assert result.exit_code == 0, result
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "bash: source <(akscli completion bash)" in lines
    assert 'zsh: akscli completion zsh > "${fpath[1]}/_akscli"' in lines
    assert "fish: akscli completion fish > ~/.config/fish/completions/akscli.fish" in lines
    assert "PowerShell: akscli completion powershell | Out-String | Invoke-Expression" in lines
