"""Every YAML or JSON input is read within bounds: hostile files fail at once with one line."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli import errors, yamlio
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke

ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
DEEP_FLOW = "[" * 5000 + "]" * 5000
DEEP_BLOCK = "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 1500))
HUGE_SCALAR = 'x: "' + "a" * (9 * 1024 * 1024) + '"\n'


def finishes(call: Callable[[], Any], seconds: float = 20.0) -> Any:
    """Run ``call`` in a thread; a hang (the bug) fails the test instead of stalling the suite."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed back to the test below
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the input was not refused: it is still being processed"
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ALIAS_BOMB, "aliases"),
        (DEEP_FLOW, "nested more than"),
        (DEEP_BLOCK, "nested more than"),
        (HUGE_SCALAR, "too large"),
    ],
    ids=["alias-bomb", "deep-flow", "deep-block", "huge-scalar"],
)
def test_hostile_yaml_is_refused_with_one_line(text: str, expected: str) -> None:
    with pytest.raises(errors.UsageError) as err:
        finishes(lambda: yamlio.load_all(text, "values.yaml"))
    assert expected in err.value.message and "values.yaml" in err.value.message
    assert "\n" not in err.value.message and err.value.hint


def test_anchors_and_aliases_of_ordinary_size_still_work() -> None:
    docs = yamlio.load_all("base: &b {cpu: 1}\nworker: *b\n", "values.yaml")
    assert docs == [{"base": {"cpu": 1}, "worker": {"cpu": 1}}]


@pytest.mark.parametrize(
    "args",
    [["apply", "-f", "{file}", "--dry-run=client"], ["policy", "check", "-f", "{file}"]],
    ids=["apply", "policy-check"],
)
def test_an_alias_bomb_manifest_fails_at_once_on_the_command_line(tmp_path: Path, args: list[str]) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    result = finishes(lambda: invoke(*[a.format(file=bomb) for a in args]))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "aliases" in result.stderr and "Traceback" not in result.stderr


def test_an_alias_bomb_values_file_fails_render_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "values.yaml"
    bomb.write_text(ALIAS_BOMB)
    result = finishes(lambda: invoke("render", "ray/cluster", "--values", str(bomb)))
    assert result.exit_code == 2 and result.stdout == ""
    assert "aliases" in result.stderr


def test_an_impossible_date_in_a_values_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("name: demo\nreleased: 2001-02-30\n")
    result = invoke("render", "core/namespace", "--values", str(values))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{values} has a value YAML cannot read: day is out of range for month" in result.stderr
    assert "Traceback" not in result.stderr and "quote the value" in result.stderr


def test_a_kubeconfig_that_is_a_plain_string_is_named_as_not_a_kubeconfig(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("just a string\n")
    with pytest.raises(errors.UsageError) as err:
        connect(KubeTarget(kubeconfig=str(config)))
    assert "not a kubeconfig" in err.value.message and "found a string" in err.value.message
    assert "item assignment" not in err.value.message


def test_an_alias_bomb_kubeconfig_fails_at_once(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(ALIAS_BOMB)
    with pytest.raises(errors.UsageError) as err:
        finishes(lambda: connect(KubeTarget(kubeconfig=str(config))))
    assert "aliases" in err.value.message
