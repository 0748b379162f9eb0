"""What the command tree's hostile-value test (test_bad_input.py) found unchecked: two limits a typed
value can break, and a credentials --kubeconfig that could not be merged into, found only after
Azure was asked for the credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@pytest.mark.parametrize("target", ["folder", "list.yaml"])
@pytest.mark.parametrize("command", [["cluster", "credentials"], ["fleet", "credentials"]], ids=["cluster", "fleet"])
def test_a_kubeconfig_credentials_cannot_merge_into_is_refused_before_azure_is_asked(
    command: list[str], target: str, azure_env: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (tmp_path / "list.yaml").write_text("- not\n- a kubeconfig\n")
    result = invoke(*command, "demo", "-g", "rg", "--kubeconfig", str(tmp_path / target))
    assert result.exit_code == 2 and result.stdout == ""
    assert ("is a directory, not a file" if target == "folder" else "is not a kubeconfig") in result.stderr
    assert azure_env.requests_to(r"/list(ClusterUser)?Credential") == []
