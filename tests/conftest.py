"""Shared fixtures: the emulators (loaded as plugins) and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AKSCLI_SHARED_DIR", REPO.parent / "shared"))

pytest_plugins = [
    "tests.emulators.kube.fixtures",
    "tests.emulators.arm.fixtures",
]


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's kubeconfig, caches or audit log."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("AKSCLI_AUDIT_LOG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        monkeypatch.setenv("TERM", "xterm")  # a test's fake terminal shows colour, whatever ran pytest
    # Hints that read a secret are written in the user's shell (akscli.secret_hints): bash's, unless a
    # test names another.
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.delenv("PSModulePath", raising=False)
    from akscli import redact

    redact.forget_all()  # each test is a new process: no Secret value of an earlier one is hidden


@pytest.fixture
def shared_dir() -> Path:
    return SHARED


def _runs_long(item: pytest.Item) -> bool:
    return item.get_closest_marker("slow") is not None or "tests/runbooks/" in item.nodeid


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (the runbooks and the slow-marked ones, 5-25 s each): pytest-xdist's
    workers then share them out at the start, and none is left running one alone at the end."""
    items[:] = [item for item in items if _runs_long(item)] + [item for item in items if not _runs_long(item)]
