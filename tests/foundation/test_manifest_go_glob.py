"""A `-f` pattern matches the files Go's filepath.Glob matches, as kubectl's does (upstream:
kubernetes/cli-runtime 69e8693b pkg/resource/builder.go expandIfFilePattern; golang/go
src/path/filepath/match.go Glob and Match): `[^a]` is a negated class and `[!a]` a class of `!`
and `a` (Python's glob reads both the other way round), `\\` escapes the next character, and the
matches come directory by directory, each one's names sorted."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import manifests
from akscli.errors import UsageError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("a.yaml", "b.yaml", "!.yaml", "*.yaml"):
        (tmp_path / name).write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n")
    return tmp_path


def _names(pattern: Path) -> list[str]:
    return [p.name for p in manifests.files(str(pattern))]


def test_a_caret_negates_a_class_as_in_go(folder: Path) -> None:
    assert _names(folder / "[^a].yaml") == ["!.yaml", "*.yaml", "b.yaml"]


def test_an_exclamation_mark_is_a_member_of_a_class_as_in_go(folder: Path) -> None:
    assert _names(folder / "[!a].yaml") == ["!.yaml", "a.yaml"]


def test_a_backslash_escapes_the_next_character_as_in_go(folder: Path) -> None:
    assert _names(folder / "\\*.yaml") == ["*.yaml"]


def test_a_star_matches_dot_files_as_in_go(tmp_path: Path) -> None:
    (tmp_path / ".hidden.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n")
    assert _names(tmp_path / "*.yaml") == [".hidden.yaml"]


def test_matches_come_folder_by_folder_as_in_go(tmp_path: Path) -> None:
    # Go globs the folders first (sorted: a, a-b), then each folder's names: not one sort of the
    # whole paths, which would put a-b/x.yaml ('-' sorts before '/') first.
    for folder in ("a", "a-b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n")
    found = manifests.files(str(tmp_path / "a*" / "x.yaml"))
    assert [p.parent.name for p in found] == ["a", "a-b"]


def test_a_range_whose_ends_are_reversed_matches_nothing_as_in_go(folder: Path) -> None:
    # Go's matchChunk: lo <= r && r <= hi never holds; the pattern is well formed.
    with pytest.raises(UsageError, match="does not exist"):
        manifests.files(str(folder / "[z-a].yaml"))


def test_a_class_split_by_a_separator_is_not_valid_once_its_folder_has_names(folder: Path) -> None:
    # Match(pattern, "") takes "[a/b]" whole; Glob then matches the part "[a" in a folder: ErrBadPattern.
    with pytest.raises(UsageError, match="is not valid: syntax error in pattern"):
        manifests.files(str(folder / "[a/b]" / "x.yaml"))
