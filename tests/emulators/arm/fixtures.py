"""Pytest fixtures for the ARM + Entra emulator (loaded by tests/conftest.py).

``arm_emulator``: a fresh, started emulator per test.
``azure_env``: points akscli's credential factory and every SDK client at it through the
environment only (the same knobs a user on a sovereign cloud or behind a proxy would use).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators.arm.server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    ArmEmulator,
)
from tests.emulators.lab import AZURE_CLEARED

WORLD_GROUPS = ("rg-ml", "rg1", "rg", "rg-fleet", "rg-edge")


@pytest.fixture(autouse=True)
def _one_credential_per_test() -> Iterator[None]:
    """akscli keeps one credential per command (process); each test is a new command."""
    # plumbing: akscli's credential cache (test_emulator_imports); emulator-only, no upstream behaviour
    from akscli.azure import identity

    identity._CREDENTIALS.clear()
    yield
    identity._CREDENTIALS.clear()


@pytest.fixture
def arm_emulator() -> Iterator[ArmEmulator]:
    emu = ArmEmulator().start()
    emu.device_interval = 1  # the one setting tests shorten (Azure's is 5 s)
    # The test world's resource groups (a PUT into any other group is 404 ResourceGroupNotFound).
    for group in WORLD_GROUPS:
        emu.add_resource_group(f"/subscriptions/{emu.subscription}/resourceGroups/{group}")
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def azure_env(arm_emulator: ArmEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ArmEmulator:
    # The variables azure-identity's credentials read (upstream: Azure/azure-sdk-for-python
    # sdk/identity/azure-identity/azure/identity/_constants.py, EnvironmentVariables).
    for name in AZURE_CLEARED:
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "akscli-cache"
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "AKSCLI_ARM_ENDPOINT": arm_emulator.url,
        # akscli reads Microsoft Graph at the emulator too (test wiring, no upstream behaviour)
        "AKSCLI_GRAPH_ENDPOINT": arm_emulator.url,
        "AZURE_AUTHORITY_HOST": arm_emulator.url,
        "AZURE_TENANT_ID": arm_emulator.tenant,
        "AZURE_CLIENT_ID": DEFAULT_CLIENT_ID,
        "AZURE_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "AZURE_SUBSCRIPTION_ID": arm_emulator.subscription,
        "REQUESTS_CA_BUNDLE": arm_emulator.ca_file,
        "SSL_CERT_FILE": arm_emulator.ca_file,
        "AKSCLI_DISABLE_INSTANCE_DISCOVERY": "1",
        "AKSCLI_CACHE_DIR": str(cache),
        "AKSCLI_LRO_POLL_INTERVAL": "0",
        # No real Azure CLI profile or kubeconfig of the developer may leak into a test.
        "AZURE_CONFIG_DIR": str(tmp_path / "azure-config"),
        "KUBECONFIG": str(tmp_path / "kubeconfig"),
        "HOME": str(home),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return arm_emulator
