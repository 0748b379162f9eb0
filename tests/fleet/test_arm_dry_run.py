"""--dry-run on the fleet commands that act through ARM only: the write is printed, not sent."""

from __future__ import annotations

import json

from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator

RG = "rg-fleet"
WRITES = ("PUT", "PATCH", "POST", "DELETE")


def _writes(emu: ArmEmulator) -> list[str]:
    return [f"{e.method} {e.path}" for e in emu.request_log if e.method in WRITES and "/oauth2/" not in e.path]


def test_fleet_create_dry_run_prints_the_put_and_creates_nothing(azure_env: ArmEmulator) -> None:
    result = invoke("fleet", "create", "fl", "-g", RG, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert request["method"] == "PUT"
    assert request["url"].split("?")[0].endswith("/providers/Microsoft.ContainerService/fleets/fl")
    assert request["body"]["location"] == "eastus"
    assert _writes(azure_env) == []
    assert invoke("fleet", "show", "fl", "-g", RG).exit_code != 0


def test_fleet_delete_dry_run_asks_nothing_and_deletes_nothing(azure_env: ArmEmulator) -> None:
    assert invoke("fleet", "create", "fl", "-g", RG, "--no-hub").exit_code == 0
    before = _writes(azure_env)
    result = invoke("fleet", "delete", "fl", "-g", RG, "--dry-run", tty=True, input="")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["method"] == "DELETE"
    assert _writes(azure_env) == before
