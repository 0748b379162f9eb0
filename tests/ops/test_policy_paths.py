"""``-f PATH`` as kubectl's resource builder reads it (kubernetes/cli-runtime pkg/resource/builder.go):
the same loader serves ``policy check -f`` and ``apply -f``."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli import invoke, list_items
from tests.ops.test_policy import load_balancer, write_manifests


def test_a_missing_path_is_refused_in_kubectls_words(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = invoke("policy", "check", "-f", str(missing))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f'error: -f: the path "{missing}" does not exist'


def test_apply_refuses_a_missing_path_in_the_same_words(tmp_path: Path) -> None:
    result = invoke("apply", "-f", str(tmp_path / "nope.yaml"), "--dry-run=client")
    assert result.exit_code == 2
    assert f'the path "{tmp_path / "nope.yaml"}" does not exist' in result.stderr


def test_a_glob_pattern_reads_the_files_it_matches(tmp_path: Path) -> None:
    write_manifests(tmp_path / "m", load_balancer())
    (tmp_path / "m" / "stack.yaml").rename(tmp_path / "m" / "svc.yml")
    result = invoke("policy", "check", "-f", str(tmp_path / "m" / "*.yml"), "-o", "json")
    assert result.exit_code == 9
    assert [f["rule"] for f in list_items(result.stdout)] == ["service-load-balancer"]


def test_a_glob_pattern_that_matches_nothing_does_not_exist(tmp_path: Path) -> None:
    result = invoke("policy", "check", "-f", str(tmp_path / "*.yaml"))
    assert result.exit_code == 2
    assert f'the path "{tmp_path / "*.yaml"}" does not exist' in result.stderr


def test_a_path_that_is_not_a_regular_file_is_read_like_one(tmp_path: Path) -> None:
    result = invoke("policy", "check", "-f", os.devnull)
    assert result.exit_code == 2
    assert "no manifests found in /dev/null" in result.stderr


def test_a_kind_without_api_version_or_name_is_refused_as_apply_refuses_it(tmp_path: Path) -> None:
    """`kind: Pod` alone said "No findings" and passed the CI gate; apply refuses it."""
    path = tmp_path / "pod.yaml"
    path.write_text("kind: Pod\n")
    check = invoke("policy", "check", "-f", str(path))
    apply = invoke("apply", "-f", str(path), "--dry-run=client")
    assert check.exit_code == apply.exit_code == 2
    assert check.stderr.splitlines()[0] == f"error: -f: {path}: every document needs apiVersion, kind and metadata.name"
    assert check.stderr == apply.stderr


def test_apply_of_an_empty_pipe_names_stdin_in_policy_checks_words() -> None:
    # `producer | akscli apply -f -` where the producer printed nothing; before: "no manifests
    # found" with a hint that offered only files and folders.
    result = invoke("apply", "-f", "-", "--dry-run=client", input="")
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [
            "error: no manifests found in stdin (-f -)",
            "hint: give -f a file or folder of .yaml/.yml/.json manifests with apiVersion and kind, "
            "or pipe them into -f -",
        ],
    )


def test_a_manifest_given_without_f_is_named_in_the_hint_with_f() -> None:
    # `akscli apply app.yaml` (kubectl: "Unexpected args: [app.yaml]"); before, the hint was only
    # "run 'akscli apply --help' for usage".
    result = invoke("apply", "app.yaml")
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [
            "error: Missing option '-f' / '--filename'.",
            "hint: give the file with -f, as kubectl does: akscli apply -f app.yaml",
        ],
    )
