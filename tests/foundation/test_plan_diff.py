"""The plan's field-level diff (akscli.kube.apply.diff_objects), as the plan prints it before an
apply: one line per changed field, and a multi-line value's changed lines under its field."""

from __future__ import annotations

from typing import Any

from akscli.kube.apply import diff_objects


def config_map(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": data}


def test_a_changed_single_line_value_is_one_line() -> None:
    assert diff_objects(config_map(mode="fast"), config_map(mode="slow")) == ["~ data.mode: fast -> slow"]


def test_a_changed_file_shows_only_its_changed_lines_under_the_field() -> None:
    before = config_map(config="vllm:\n  max-model-len: 4096\n  dtype: auto\n")
    after = config_map(config="vllm:\n  max-model-len: 8192\n  dtype: auto\n")
    assert diff_objects(before, after) == [
        "~ data.config:",
        "    -   max-model-len: 4096",
        "    +   max-model-len: 8192",
    ]


def test_an_added_file_is_its_first_line_and_its_length() -> None:
    lines = diff_objects(config_map(mode="fast"), config_map(mode="fast", script="#!/bin/sh\necho one\necho two\n"))
    assert lines == ["+ data.script: #!/bin/sh ... (3 lines)"]


def test_a_secrets_multi_line_value_stays_masked() -> None:
    def secret(key: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"key": key}}

    lines = diff_objects(secret("-----BEGIN\nAAA\n-----END\n"), secret("-----BEGIN\nBBB\n-----END\n"))
    assert lines == ["~ stringData.key: *** (before) -> *** (after)"]
