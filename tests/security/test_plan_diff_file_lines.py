"""A plan's diff of a multi-line value (a ConfigMap's file, a script) shows each changed line
(akscli.kube.plan_diff._changed_lines); a line of a values file that sets a password
(``password: hunter2``, YAML's plain scalar) showed its value, as the YAML form was no shape of
akscli.redact's. Now it is ``***``, its key and indent kept; kubectl diff prints the line as it is
and masks a Secret's data only (kubernetes/kubectl pkg/cmd/diff/diff.go Masker)."""

from __future__ import annotations

from typing import Any

from akscli.kube.plan_diff import diff_objects

PW = "Hunter2-Canary"


def config_map(settings: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "app", "namespace": "default"},
        "data": {"settings.yaml": settings},
    }


def test_a_changed_line_of_a_config_file_that_sets_a_password_shows_it_masked() -> None:
    before = config_map("db:\n  host: db\n  password: old-pass-1\n")
    after = config_map(f"db:\n  host: db\n  password: {PW}\n")
    lines = diff_objects(before, after)
    assert lines == ["~ data.settings.yaml:", "    -   password: ***", "    +   password: ***"]


def test_a_changed_line_of_the_same_file_without_a_secret_is_shown() -> None:
    lines = diff_objects(config_map("db:\n  host: db\n  port: 1\n"), config_map("db:\n  host: db\n  port: 2\n"))
    assert lines == ["~ data.settings.yaml:", "    -   port: 1", "    +   port: 2"]
