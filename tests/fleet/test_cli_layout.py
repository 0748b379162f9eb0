"""``akscli fleet`` is one thin module per noun (#13 item 8), as kubectl-ray keeps one file per noun."""

from __future__ import annotations

from pathlib import Path

import akscli.cli.fleet as fleet_cli

NOUNS = ("fleet", "member", "place", "rollout", "approve")


def test_the_fleet_cli_is_one_module_per_noun_each_under_600_lines() -> None:
    package = Path(fleet_cli.__file__).parent
    assert package.name == "fleet" and (package / "__init__.py").exists()
    modules = {p.stem: p for p in package.glob("*.py")}
    for noun in NOUNS:
        assert noun in modules, f"no module for {noun}"
    for name, path in modules.items():
        assert len(path.read_text().splitlines()) < 600, f"cli/fleet/{name}.py is over 600 lines"


def test_every_fleet_command_is_still_reachable() -> None:
    from typer.main import get_command

    group = get_command(fleet_cli.app)
    names = set(group.commands)  # type: ignore[attr-defined]
    assert {"create", "list", "show", "credentials", "delete", "member", "place", "placement", "rollout"} <= names
    assert {"approve", "gates", "autoupgrade"} <= names
    rollout = group.commands["rollout"]  # type: ignore[attr-defined]
    assert {"create", "start", "stop", "skip", "status", "list", "delete", "strategy"} <= set(rollout.commands)
