"""`fleet delete`, `fleet member remove` and `fleet autoupgrade delete` take --no-wait, as az fleet
delete, az fleet member delete and az fleet autoupgradeprofile delete do (Azure/azure-cli-extensions
1a21c357 src/fleet/azext_fleet/commands.py: supports_no_wait=True). They report as the two staged
deletes (tests/fleet/test_arm_delete_no_wait.py): once Azure accepted the DELETE, audited as
accepted, a line saying how to check on it, the object's show as the follow command."""

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
    "fleet delete": (["fleet", "delete", FLEET, "-g", RG], FLEET),
    "member remove": (["fleet", "member", "remove", "gpu", *ARM], "members/gpu"),
    "autoupgrade delete": (["fleet", "autoupgrade", "delete", "stable", *ARM], "autoUpgradeProfiles/stable"),
}
AUDITED = {
    "fleet delete": f"fleet/{FLEET}",
    "member remove": f"fleet/{FLEET}/member/gpu",
    "autoupgrade delete": f"fleet/{FLEET}/autoUpgradeProfile/stable",
}
FOLLOW = {
    "fleet delete": (f"delete fleet {FLEET}", f"akscli fleet show {FLEET} -g {RG}"),
    "member remove": ("remove member gpu", f"akscli fleet member show gpu {WHERE}"),
    "autoupgrade delete": ("delete auto-upgrade profile stable", f"akscli fleet autoupgrade show stable {WHERE}"),
}
NAMES = {
    "fleet delete": f"fleet/{FLEET}",
    "member remove": "member/gpu",
    "autoupgrade delete": "autoupgradeprofile/stable",
}


def _seed(emu: Any) -> None:
    seed_member(emu, "gpu", aks_id(emu, "aks-gpu"), "cloud")
    emu.put_resource(f"{fleet_id(emu)}/autoUpgradeProfiles/stable", {"properties": {"channel": "Stable"}})


@pytest.mark.parametrize("which", list(DELETES))
def test_no_wait_returns_once_azure_accepted_and_says_how_to_check_on_it(
    fleet: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    _seed(fleet)
    fleet.lro_polls = HELD
    command, path = DELETES[which]
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


@pytest.mark.parametrize("which", list(DELETES))
def test_no_wait_and_o_name_prints_the_kind_and_name(fleet: Any, which: str) -> None:
    _seed(fleet)
    result = invoke(*DELETES[which][0], "--no-wait", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == NAMES[which]
