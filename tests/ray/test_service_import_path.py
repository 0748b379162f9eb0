"""Ray Serve's import path, module:attribute, in the words of `ray service deploy`: a Serve config's
import_path Ray Serve would refuse is one line before anything is sent (ray-project/ray
python/ray/serve/schema.py ServeApplicationSchema.import_path_format_valid), and Ray Serve's word as
a flag (--import-path) says the import path is read from the -f file, in the form Ray expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import ray
from akscli.errors import UsageError
from tests.cli import invoke


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("serve_llm", "has no colon or dot between the module and the attribute"),
        ("a:b:c", "has more than one colon"),
        (":app", "starts or ends with its colon"),
        ("serve_llm:", "starts or ends with its colon"),
        (".app", "starts or ends with a dot"),
        ("serve_llm.", "starts or ends with a dot"),
    ],
)
def test_an_import_path_ray_serve_refuses_is_named_with_the_form_it_takes(path: str, problem: str) -> None:
    text = f"applications:\n- name: llm\n  import_path: {path!r}\n"
    with pytest.raises(UsageError) as refused:
        ray.serve_config(text, "serve.yaml")
    assert str(refused.value).startswith(f"serve.yaml: application 1 import_path {path!r} {problem}")
    assert "module:attribute" in str(refused.value)


@pytest.mark.parametrize("path", ["serve_llm:app", "pkg.serve_llm:app", "serve_llm.app", "pkg.sub.serve_llm.app"])
def test_an_import_path_of_either_form_ray_serve_takes_is_taken(path: str) -> None:
    assert path in ray.serve_config(f"applications:\n- name: llm\n  import_path: {path}\n", "serve.yaml")


def test_a_bad_import_path_in_the_file_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n- name: llm\n  import_path: serve_llm\n")
    result = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--dry-run=client")
    assert result.exit_code == 2
    error, hint = result.stderr.strip().splitlines()
    assert error == (
        f"error: -f: {serve}: application 1 import_path 'serve_llm' has no colon or dot between the module and the"
        " attribute: write module:attribute"
    )
    assert hint.startswith("hint: write import_path: module:attribute (e.g. text_ml:app")


@pytest.mark.parametrize("typed", [["--import-path", "serve_llm"], ["--import-path=serve_llm:app"]])
def test_ray_serves_import_path_as_a_flag_says_it_is_read_from_the_file_and_its_form(typed: list[str]) -> None:
    result = invoke("ray", "service", "deploy", "llm", *typed)
    assert result.exit_code == 2
    error, hint = result.stderr.strip().splitlines()
    assert error == (
        "error: 'akscli ray service deploy' takes no --import-path: each application's import_path,"
        " module:attribute (e.g. text_ml:app, as `from text_ml import app`), is read from the Ray Serve config"
        " given with -f"
    )
    assert hint == (
        "hint: write it in the file: applications: [{name: app, import_path: text_ml:app}] (serve build writes"
        " one), then: akscli ray service deploy NAME -f serve.yaml"
    )
