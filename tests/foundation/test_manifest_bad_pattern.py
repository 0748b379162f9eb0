"""A `-f` pattern Go's filepath.Glob refuses (ErrBadPattern) is refused in kubectl's words, `pattern
"x" is not valid: syntax error in pattern`, not as a path that does not exist (upstream:
kubernetes/cli-runtime 69e8693b pkg/resource/builder.go expandIfFilePattern; golang/go
src/path/filepath/match.go Glob, which checks the pattern with Match(pattern, "") first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli.manifests import well_formed
from tests.cli import invoke


@pytest.mark.parametrize("command", [("apply", "-y"), ("diff",), ("policy", "check")])
def test_an_unclosed_class_is_a_pattern_that_is_not_valid(tmp_path: Path, command: tuple[str, ...]) -> None:
    pattern = str(tmp_path / "k8s[.yaml")
    result = invoke(*command, "-f", pattern)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == f'error: -f: pattern "{pattern}" is not valid: syntax error in pattern'
    assert result.stdout == ""


def test_a_file_whose_name_has_a_bracket_is_read_as_it_is(tmp_path: Path) -> None:
    # kubectl stats the path first: only a path that does not exist is a pattern.
    path = tmp_path / "k8s[.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n")
    result = invoke("policy", "check", "-f", str(path))
    assert "not valid" not in result.stderr


def test_a_well_formed_pattern_that_matches_nothing_still_does_not_exist(tmp_path: Path) -> None:
    pattern = str(tmp_path / "[a-z]*.yaml")
    result = invoke("policy", "check", "-f", pattern)
    assert result.exit_code == 2, result
    assert f'the path "{pattern}" does not exist' in result.stderr


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [
        ("k8s/*.yaml", True),
        ("[a-z]*.yaml", True),
        ("[^.]*.yaml", True),
        ("[*]", True),
        ("a\\[b", True),
        ("[\\]]", True),
        ("a[", False),
        ("a[]", False),
        ("a[]]", False),
        ("a[a-]", False),
        ("a[-]", False),
        ("*[", False),
        ("x\\", False),
    ],
)
def test_well_formed_is_gos_pattern_syntax(pattern: str, valid: bool) -> None:
    assert well_formed(pattern) is valid
