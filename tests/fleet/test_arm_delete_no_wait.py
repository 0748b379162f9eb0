"""`fleet rollout delete` and `fleet rollout strategy delete` act on a hub object, or with --fleet
on an ARM child of the fleet. With --fleet their wait is every ARM write's: --timeout defaults to
60m (azopts.ARM_TIMEOUT_DEFAULT; the hub's stays kubectl delete's 5m, as `nodepool delete` has one
flag with two defaults), and --no-wait returns once Azure accepted the DELETE, audited as accepted,
saying how to check on it, as `cluster delete --no-wait` does (azopts.finish). Azure goes on with
an operation a client stops polling (Azure/azure-resource-manager-rpc 69e229f
v1.0/async-api-reference.md).

`fleet delete`, `fleet member remove` and `fleet autoupgrade delete` take --no-wait too, as az fleet
delete, az fleet member delete and az fleet autoupgradeprofile delete do (Azure/azure-cli-extensions
1a21c357 src/fleet/azext_fleet/commands.py: supports_no_wait=True), and report the same way, the
object's show as the follow command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM, FLEET, RG, aks_id, fleet_id, seed_member

HELD = 10**9  # polls: the operation never ends while the test runs
WHERE = f"--fleet {FLEET} -g {RG}"
DELETES = {
    "rollout delete": (["fleet", "rollout", "delete", "up-1", *ARM], "updateRuns/up-1"),
    "strategy delete": (["fleet", "rollout", "strategy", "delete", "safe", *ARM], "updateStrategies/safe"),
}
# the other ARM deletes: --no-wait only (their default wait is tested with each command)
NO_WAIT_DELETES = {
    **DELETES,
    "fleet delete": (["fleet", "delete", FLEET, "-g", RG], FLEET),
    "member remove": (["fleet", "member", "remove", "gpu", *ARM], "members/gpu"),
    "autoupgrade delete": (["fleet", "autoupgrade", "delete", "stable", *ARM], "autoUpgradeProfiles/stable"),
}
AUDITED = {
    "rollout delete": f"fleet/{FLEET}/updateRun/up-1",
    "strategy delete": f"fleet/{FLEET}/updateStrategy/safe",
    "fleet delete": f"fleet/{FLEET}",
    "member remove": f"fleet/{FLEET}/member/gpu",
    "autoupgrade delete": f"fleet/{FLEET}/autoUpgradeProfile/stable",
}
FOLLOW = {
    "rollout delete": ("delete update run up-1", f"akscli fleet rollout status up-1 {WHERE}"),
    "strategy delete": ("delete update strategy safe", f"akscli fleet rollout strategy show safe {WHERE}"),
    "fleet delete": (f"delete fleet {FLEET}", f"akscli fleet show {FLEET} -g {RG}"),
    "member remove": ("remove member gpu", f"akscli fleet member show gpu {WHERE}"),
    "autoupgrade delete": ("delete auto-upgrade profile stable", f"akscli fleet autoupgrade show stable {WHERE}"),
}
NAMES = {
    "rollout delete": "updaterun/up-1",
    "strategy delete": "updatestrategy/safe",
    "fleet delete": f"fleet/{FLEET}",
    "member remove": "member/gpu",
    "autoupgrade delete": "autoupgradeprofile/stable",
}


def _seed(emu: Any) -> None:
    seed_member(emu, "gpu", aks_id(emu, "aks-gpu"), "cloud")
    emu.put_resource(f"{fleet_id(emu)}/autoUpgradeProfiles/stable", {"properties": {"channel": "Stable"}})
    emu.put_resource(f"{fleet_id(emu)}/updateRuns/up-1", {"properties": {"strategy": {"stages": []}}})
    emu.put_resource(
        f"{fleet_id(emu)}/updateStrategies/safe",
        {"properties": {"strategy": {"stages": [{"name": "all", "groups": [{"name": "cloud"}]}]}}},
    )


@pytest.mark.parametrize("which", list(NO_WAIT_DELETES))
def test_no_wait_with_fleet_returns_once_azure_accepted_and_says_how_to_check_on_it(
    fleet: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    _seed(fleet)
    fleet.lro_polls = HELD
    command, path = NO_WAIT_DELETES[which]
    log = tmp_path / "audit.jsonl"
    result = invoke(*command, "--no-wait", "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    what, follow = FOLLOW[which]
    assert f"{what}: accepted by Azure, in progress (InProgress); check on it with: {follow}" in result.stderr
    assert result.stdout == ""
    deletes = [r for r in fleet.request_log if r.method == "DELETE"]
    assert len(deletes) == 1 and deletes[0].path.endswith(path)
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["result"] == "accepted (--no-wait)"
    assert entry["objects"] == [{"object": AUDITED[which], "action": "delete"}]


@pytest.mark.parametrize("which", list(NO_WAIT_DELETES))
def test_no_wait_with_fleet_and_o_name_prints_the_kind_and_name(fleet: Any, which: str) -> None:
    _seed(fleet)
    result = invoke(*NO_WAIT_DELETES[which][0], "--no-wait", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == NAMES[which]


@pytest.mark.parametrize("which", list(DELETES))
def test_the_arm_delete_waits_60m_by_default(fleet: Any, monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    from akscli.azure import arm

    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    _seed(fleet)
    fleet.lro_polls = HELD
    seen: list[float] = []
    monkeypatch.setattr(arm.Deadline, "passed", lambda self: seen.append(self.seconds) or True)
    result = invoke(*DELETES[which][0], "-y")
    assert result.exit_code == 5, result
    assert seen and set(seen) == {3600.0}


@pytest.mark.parametrize("which", list(DELETES))
def test_the_arm_delete_without_no_wait_still_deletes(fleet: Any, which: str) -> None:
    _seed(fleet)
    result = invoke(*DELETES[which][0], "-y")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == (
        'updaterun "up-1" deleted' if which == "rollout delete" else 'updatestrategy "safe" deleted'
    )
