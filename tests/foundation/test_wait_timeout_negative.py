"""--wait --timeout read as kubectl wait reads --timeout: a negative duration waits a week
(kubernetes/kubectl dee3483a pkg/cmd/wait/wait.go ToOptions: ``if effectiveTimeout < 0 {
effectiveTimeout = 168 * time.Hour }``; its help: "negative means wait for a week"). Before, akscli
refused it (exit 2, "it is negative")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors, validate
from akscli.cli.common import ApplyOutcome
from tests.cli import invoke

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n"


@pytest.mark.parametrize("typed", ["-1s", "-500ms", "-1h30m"])
def test_a_negative_wait_timeout_waits_a_week(typed: str) -> None:
    assert validate.wait_timeout(typed) == "168h"
    assert validate.duration(validate.wait_timeout(typed), "--timeout") == 168 * 3600


@pytest.mark.parametrize("typed", ["10m", "90", "0s"])
def test_a_wait_timeout_that_is_not_negative_is_kept_as_typed(typed: str) -> None:
    assert validate.wait_timeout(typed) == typed


def test_a_negative_number_without_a_unit_stays_refused_as_go_refuses_it() -> None:
    # time.ParseDuration("-1"): "missing unit in duration"; kubectl wait --timeout=-1 is an invalid argument
    with pytest.raises(errors.UsageError) as refused:
        validate.wait_timeout("-1")
    assert refused.value.message.startswith("invalid --timeout '-1': it is not a duration")


def _captured_apply(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *timeout: str) -> tuple[Any, dict[str, Any]]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        "akscli.cli.apply.apply_objects",
        lambda objects, **kwargs: seen.update(kwargs) or ApplyOutcome(objects, [], None),
    )
    path = tmp_path / "cm.yaml"
    path.write_text(CONFIGMAP)
    return invoke("apply", "-f", str(path), "--wait", *timeout), seen


@pytest.mark.parametrize("timeout", [("--timeout", "-1s"), ("--timeout=-1s",)])
def test_apply_wait_with_a_negative_timeout_waits_a_week(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, timeout: tuple[str, ...]
) -> None:
    result, seen = _captured_apply(monkeypatch, tmp_path, *timeout)
    assert result.exit_code == 0, result
    assert seen["timeout"] == "168h"


def test_apply_wait_with_a_negative_timeout_without_a_unit_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result, seen = _captured_apply(monkeypatch, tmp_path, "--timeout=-1")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid --timeout '-1': it is not a duration")
    assert seen == {}


def test_a_delete_timeout_is_not_kubectl_waits_and_a_negative_one_stays_refused() -> None:
    # kubectl delete's --timeout: 0 is a week, a negative one is not (pkg/cmd/delete/delete.go)
    result = invoke("model", "delete", "m", "--timeout=-1s", "-y")
    assert result.exit_code == 2
    assert "invalid --timeout '-1s': it is negative" in result.stderr
