"""Two limits a typed value can break that the command tree's hostile-value test found unchecked."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import validate
from akscli.errors import UsageError
from tests.cli import invoke


def test_an_image_whose_repository_name_is_over_255_characters_is_refused() -> None:
    # distribution/reference reference.go, Parse: len(repo.path) > 255 is ErrNameTooLong
    with pytest.raises(UsageError) as err:
        validate.image("a" * 256, "--image")
    assert "repository name is more than 255 characters" in err.value.message


def test_an_image_of_255_characters_with_a_registry_and_tag_is_taken() -> None:
    ref = "registry.example.com/" + "a" * 255 + ":v1"
    assert validate.image(ref, "--image") == ref


@pytest.mark.parametrize(
    "argv",
    [
        ["baremetal", "probe", "--sysfs-root", "{long}"],
        ["gpu", "usage", "--price-file", "{long}"],
        ["ray", "cluster", "create", "demo", "-f", "{long}"],
    ],
    ids=["sysfs-root", "price-file", "ray-filename"],
)
def test_a_path_too_long_for_the_file_system_is_a_usage_error(argv: list[str], tmp_path: Path) -> None:
    long = str(tmp_path / ("a" * 300))
    result = invoke(*[a.format(long=long) for a in argv])
    assert result.exit_code == 2 and result.stdout == ""
    assert "is too long for the file system" in result.stderr and "unexpected error" not in result.stderr
    assert "hint: each part of a path is at most 255 bytes (NAME_MAX)" in result.stderr
