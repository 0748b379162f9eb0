"""A command's --dry-run prints every write the command sends, in the order it sends them: each
table line of test_arm_write_bodies.py and test_arm_write_commands.py is run twice on the same
emulator state, once with --dry-run (its printed requests) and once for real (the writes the
emulator received: method, path, api-version, body). A dry run that stops at the first of several
writes (the node image upgrade of every pool) prints fewer than the command sends and fails here;
the bodies it prints are then checked against the published API by test_arm_write_bodies.py, all
of them, not only the first."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from ruamel.yaml import YAML

from tests.azure import test_arm_write_bodies as bodies
from tests.azure import test_arm_write_commands as commands
from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator
from tests.fleet import armworld

# (world, command line) of every ARM write command line the two write tests run.
LINES: dict[str, tuple[str, str]] = {
    **{f"aks: {case}": ("aks-two-pools", line) for case, line in bodies.AKS_WRITES.items()},
    **{
        f"fleet: {case}": ("fleet" if case == "skip" else "fleet-bare", line)
        for case, line in bodies.FLEET_WRITES.items()
    },
    **{
        f"bare metal: {case}": ("baremetal" if "upgrade" in line else "edge-machine", line)
        for case, line in bodies.BAREMETAL_WRITES.items()
    },
    **{f"bodyless: {case}": world_line for case, world_line in commands.BODYLESS_WRITES.items()},
    "approve": ("approve", bodies.APPROVE),
}


def _world(kind: str, case: str, emu: ArmEmulator, folder: Path) -> None:
    if kind == "aks-two-pools":
        # A second pool: a command that writes once per pool writes twice.
        user = {"name": "cpu", "mode": "User", "count": 2, "vmSize": "Standard_D8ds_v5"}
        system = {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"}
        control_plane = dict(bodies.CONTROL_PLANE.get(case.removeprefix("aks: "), {}))
        # A case that names its own pools (a User pool to update) keeps them, with the second pool added.
        seed_cluster(emu, pools=[*control_plane.pop("pools", [system]), user], **control_plane)
    elif kind == "fleet-bare":
        armworld.make_fleet(emu)
        armworld.seed_member(emu, "gpu", armworld.aks_id(emu, "aks-gpu"), "cloud")
    elif kind == "edge-machine":
        from tests.baremetal.test_clusters import KEY
        from tests.emulators.arm.baremetal import edge_machine

        (folder / "id.pub").write_text(KEY + "\n")
        edge_machine(emu, "rg-edge", "edge-gpu-01")
    elif kind == "approve":
        from tests.fleet.test_arm_run_dry_run import pending_gate

        pending_gate(emu, "g1", "up-1")
    else:
        commands._world(kind, emu, folder)


def _key(method: str, url: str, body: Any) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    api = ",".join(parse_qs(parts.query).get("api-version", []))
    if "/roleassignments/" in parts.path.lower():
        # The device pool's principal is known once the pool exists: a dry run prints a placeholder.
        body = {**body, "properties": {**body["properties"], "principalId": "<principal>"}}
    return method, parts.path.lower(), api, json.dumps(body, sort_keys=True)


def _writes(emu: ArmEmulator, since: int) -> list[tuple[str, str, str, str]]:
    sent = [e for e in emu.request_log[since:] if e.method != "GET" and "/oauth2/" not in e.path]
    return [
        _key(e.method, f"{e.path}?api-version={','.join(e.query.get('api-version', []))}", json.loads(e.body or "null"))
        for e in sent
    ]


@pytest.mark.parametrize("case", list(LINES))
def test_a_dry_run_prints_every_write_the_command_sends_in_order(
    azure_env: ArmEmulator, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kind, line = LINES[case]
    _world(kind, case, azure_env, tmp_path)
    args = shlex.split(line)
    dry = invoke(*args, "--dry-run")
    assert dry.exit_code == 0, dry
    printed: Any = YAML(typ="safe").load(dry.stdout)  # JSON, or YAML where that is the default
    printed = printed if isinstance(printed, list) else [printed]
    before = len(azure_env.request_log)
    real = invoke(*args, *([] if "-y" in args else ["-y"]))
    assert real.exit_code == 0, real
    assert [_key(r["method"], r["url"], r["body"]) for r in printed] == _writes(azure_env, before)
