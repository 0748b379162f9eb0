"""--placement and --resource-index name what a hub rollout rolls out (a placement's resource
snapshot). An ARM update run (--fleet) upgrades the members' clusters; its body has no such field
(upstream: Azure/azure-rest-api-specs specification/containerservice/resource-manager/
Microsoft.ContainerService/fleet/stable/2026-06-01/fleets.json, UpdateRunProperties). So with --fleet
they are refused (exit 2, one line, nothing read or sent) rather than dropped, as the hub path
refuses the ARM-only flags."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM

CREATE = ["fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "-y"]


@pytest.mark.parametrize(("flag", "value"), [("--placement", "llm"), ("--resource-index", "3")])
def test_a_hub_flag_with_fleet_is_refused_and_nothing_is_read_or_sent(fleet: Any, flag: str, value: str) -> None:
    fleet.request_log.clear()
    result = invoke(*CREATE, flag, value)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        f"error: {flag} belongs to hub rollouts; an ARM update run (--fleet) upgrades the members' clusters"
    )
    assert f"drop {flag}, or leave out --fleet" in result.stderr
    assert "Traceback" not in result.stderr
    assert fleet.request_log == []


def test_a_hub_flag_with_fleet_is_refused_on_a_dry_run_too(fleet: Any) -> None:
    result = invoke(*CREATE, "--placement", "llm", "--dry-run=client")
    assert result.exit_code == 2, result
    assert result.stdout == ""
