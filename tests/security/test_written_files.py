"""Files akscli writes that hold, or may hold, a credential are private whatever the umask, and
never readable by others, not even while they are written.

Upstream: kubernetes/client-go tools/clientcmd/loader.go ``WriteToFile`` (``os.WriteFile(filename,
content, 0600)``: a new kubeconfig is 0600, an existing one keeps its mode); the Azure CLI's acs
module stores a service principal's secret with ``os.open(path, O_RDWR|O_CREAT|O_TRUNC, 0o600)``
(store_acs_service_principal).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from akscli import audit
from akscli.azure import signin, token
from akscli.azure.kubeconfig import merge_kubeconfig
from tests.azure.test_kubeconfig import aks_kubeconfig


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask a user may have: a mode akscli leaves to the umask shows here."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def temp_modes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The mode of every temp file the moment it is created, before anything is written to it."""
    seen: list[int] = []
    real = tempfile.mkstemp

    def spy(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    return seen


def test_a_new_kubeconfig_is_0600_and_its_temp_file_too_under_an_open_umask(
    tmp_path: Path, open_umask: None, temp_modes: list[int]
) -> None:
    cfg = tmp_path / "kube" / "config"
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert mode(cfg) == 0o600
    assert temp_modes and set(temp_modes) == {0o600}


def test_a_new_kubeconfigs_folder_is_not_writable_by_others_under_an_open_umask(
    tmp_path: Path, open_umask: None
) -> None:
    cfg = tmp_path / "kube" / "config"
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert mode(cfg.parent) & 0o022 == 0


def test_the_token_cache_file_and_folder_are_private_under_an_open_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None, temp_modes: list[int]
) -> None:
    monkeypatch.setenv("AKSCLI_CACHE_DIR", str(tmp_path / "cache"))
    req = token.TokenRequest(tenant_id="t", client_id="c")
    token.write_cached(req, "canary-access-token", 2_000_000_000)
    assert mode(token.cache_path(req)) == 0o600
    assert mode(token.cache_dir()) == 0o700
    assert set(temp_modes) == {0o600}


def _save_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AKSCLI_CACHE_DIR", str(tmp_path / "cache"))
    path = signin.record_path("devicecode", "client", "tenant", None)
    signin.Remembered(_never_built, path)._save('{"username": "dev@example.com"}')
    return Path(path)


def _never_built(record: Any) -> Any:
    raise AssertionError("no credential is built to save a record")


def test_a_sign_in_record_and_its_folder_are_private_under_an_open_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    path = _save_record(tmp_path, monkeypatch)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_a_sign_in_record_is_private_even_where_an_old_temp_file_was_left_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixed temp name opened without O_EXCL keeps the mode of a file left there before."""
    monkeypatch.setenv("AKSCLI_CACHE_DIR", str(tmp_path / "cache"))
    path = signin.record_path("devicecode", "client", "tenant", None)
    path.parent.mkdir(parents=True, mode=0o700)
    left = path.with_suffix(".tmp")
    left.write_text("")
    os.chmod(left, 0o644)
    _save_record(tmp_path, monkeypatch)
    assert mode(path) == 0o600


def test_the_audit_log_is_private_under_an_open_umask(tmp_path: Path, open_umask: None) -> None:
    log = tmp_path / "state" / "audit.jsonl"
    audit.append(log, {"action": "apply"})
    assert mode(log) == 0o600
    assert mode(log.parent) & 0o077 == 0


def test_every_folder_made_above_the_audit_log_is_private_under_an_open_umask(tmp_path: Path, open_umask: None) -> None:
    """``os.makedirs`` gives the folders above the last one the umask's mode (0777 under umask 0)."""
    log = tmp_path / "state" / "akscli" / "audit.jsonl"
    audit.append(log, {"action": "apply"})
    assert mode(tmp_path / "state") == 0o700
    assert mode(tmp_path / "state" / "akscli") == 0o700


def test_the_cache_folders_above_a_part_are_made_private_under_an_open_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    """Another user could rename a 0700 part out of a 0777 folder and put their own in its place."""
    monkeypatch.delenv("AKSCLI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    token.write_cached(token.TokenRequest(tenant_id="t", client_id="c"), "canary-access-token", 2_000_000_000)
    assert mode(tmp_path / "xdg") == 0o700
    assert mode(tmp_path / "xdg" / "akscli") == 0o700
