"""The token cache is trusted only when it is the user's own; a cache problem never hides a token."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from akscli.azure import token as plugin
from tests.azure.helpers import entra_flag
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

NOBODY = 65534


def run_token(*args: str) -> dict:
    result = invoke("token", *entra_flag(), *args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def plant(token: str, mode: int = 0o600, owner: int | None = None) -> Path:
    folder = Path(plugin.cache_dir())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = Path(plugin.cache_path(plugin.parse_args(list(entra_flag()))))  # the request of a bare `akscli token`
    path.write_text(json.dumps({"token": token, "expires_on": int(time.time()) + 3600}))
    os.chmod(path, mode)
    if owner is not None:
        os.chown(path, owner, owner)
    return path


def test_a_cache_file_others_can_read_is_tightened_before_use(azure_env: ArmEmulator) -> None:
    path = plant("cached-token", mode=0o644)
    assert run_token()["status"]["token"] == "cached-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="planting a file owned by another user needs root")
def test_a_token_planted_by_another_user_is_not_trusted(azure_env: ArmEmulator) -> None:
    plant("planted-token", owner=NOBODY)
    token = run_token()["status"]["token"]
    assert token != "planted-token"
    assert token in azure_env.tokens


def test_an_open_cache_folder_of_ours_is_tightened(azure_env: ArmEmulator) -> None:
    folder = Path(plugin.cache_dir())
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    run_token()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_unwritable_cache_still_prints_the_token_it_obtained(azure_env: ArmEmulator) -> None:
    folder = Path(plugin.cache_dir())
    folder.parent.mkdir(parents=True)
    folder.write_text("not a folder")  # nothing can be cached under it, whoever runs this
    result = invoke("token", *entra_flag())
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["status"]["token"] in azure_env.tokens
    assert "cannot cache the token" in result.stderr


@pytest.mark.parametrize("flag", ["-v", "--verbose", "-vv"])
def test_token_accepts_the_documented_verbose_flags_and_never_prints_the_token_on_stderr(
    azure_env: ArmEmulator, flag: str
) -> None:
    result = invoke("token", *entra_flag(), flag)
    assert result.exit_code == 0, result
    token = json.loads(result.stdout)["status"]["token"]
    assert "from Entra ID" in result.stderr and token not in result.stderr


def test_double_v_is_accepted_anywhere_on_the_command_line() -> None:
    result = invoke("version", "-vv")
    assert result.exit_code == 0, result
