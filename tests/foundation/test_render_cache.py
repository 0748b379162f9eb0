"""Compiled templates are kept between runs (Jinja's bytecode cache in akscli's cache folder),
and the cache never changes what a render gives: a changed template compiles again, and a cache
that cannot be used or written only costs the compile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from akscli import cachedir, render

TEMPLATE = "demo/cm.yaml.j2"


@pytest.fixture(autouse=True)
def _fresh_environment() -> Iterator[None]:
    """Each test starts as a new process does: no environment, so no template compiled in memory."""
    render._environment.cache_clear()
    yield
    render._environment.cache_clear()


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "templates"
    (root / "demo").mkdir(parents=True)
    _write(root, "data:\n  greeting: {{ greeting }}\n")
    monkeypatch.setattr(render, "templates_dir", lambda: root)
    return root


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source."""
    seen: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object) -> object:
        seen.append(str(name))
        return original(self, source, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return seen


def _write(root: Path, data: str) -> None:
    (root / TEMPLATE).write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n{data}", encoding="utf-8")


def _render_in_a_new_process(greeting: str = "hello") -> dict[str, object]:
    render._environment.cache_clear()
    (obj,) = render.render("demo/cm", {"greeting": greeting})
    return obj


def test_a_template_is_compiled_once_and_later_runs_load_it_from_the_cache(
    templates: Path, compiles: list[str]
) -> None:
    first = _render_in_a_new_process()
    second = _render_in_a_new_process()
    assert compiles == [TEMPLATE]
    assert first == second and first["data"] == {"greeting": "hello"}
    assert os.listdir(cachedir.path("templates"))


def test_a_changed_template_compiles_again_and_renders_its_new_text(templates: Path, compiles: list[str]) -> None:
    _render_in_a_new_process()
    _write(templates, "data:\n  salutation: {{ greeting }}\n")
    assert _render_in_a_new_process()["data"] == {"salutation": "hello"}
    assert compiles == [TEMPLATE, TEMPLATE]


def test_the_cache_folder_is_private_to_the_user(templates: Path) -> None:
    _render_in_a_new_process()
    assert os.stat(cachedir.path("templates")).st_mode & 0o777 == 0o700


def test_a_cache_folder_of_another_user_is_never_read(
    templates: Path, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _render_in_a_new_process()
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)  # the folder now belongs to someone else
    assert _render_in_a_new_process()["data"] == {"greeting": "hello"}
    assert compiles == [TEMPLATE, TEMPLATE]


def test_a_cache_that_cannot_be_written_only_costs_the_compile(
    templates: Path, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.NamedTemporaryFile", full_disk)
    assert _render_in_a_new_process()["data"] == {"greeting": "hello"}
    assert _render_in_a_new_process()["data"] == {"greeting": "hello"}
    assert compiles == [TEMPLATE, TEMPLATE]
    assert os.listdir(cachedir.path("templates")) == []


def test_a_damaged_cache_file_is_compiled_over(templates: Path, compiles: list[str]) -> None:
    _render_in_a_new_process()
    (cached,) = Path(cachedir.path("templates")).iterdir()
    cached.write_bytes(cached.read_bytes()[:40])
    assert _render_in_a_new_process()["data"] == {"greeting": "hello"}
    assert compiles == [TEMPLATE, TEMPLATE]
