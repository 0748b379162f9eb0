"""Generated files stay in step with the command tree: docs, completions, the help cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from akscli.cli import docgen
from akscli.cli.entry import HELP_CACHE, cached_help
from tests.cli import invoke

REPO = Path(__file__).resolve().parents[2]
EXPECTED = docgen.expected_files(REPO)


@pytest.mark.parametrize("path", sorted(EXPECTED), ids=lambda p: str(p.relative_to(REPO)))
def test_generated_file_is_up_to_date(path: Path) -> None:
    assert path.is_file(), f"{path} is missing: run nox -s docs"
    assert path.read_text(encoding="utf-8") == EXPECTED[path], f"{path} is stale: run nox -s docs"


def test_cached_help_is_what_the_command_tree_prints() -> None:
    cache = json.loads(Path(HELP_CACHE).read_text(encoding="utf-8"))
    for key in ("", "model", "ray job submit", "fleet place"):
        if key not in cache:
            continue
        args = [*key.split(), "--help"] if key else ["--help"]
        live = invoke(*args)
        assert live.exit_code == 0
        assert live.stdout == cache[key], f"help of {key!r} differs from the cache"


def test_help_fast_path_only_answers_plain_help_requests() -> None:
    assert cached_help(["--help"], "akscli") is not None
    assert cached_help([], "akscli") is not None
    assert cached_help(["model", "--help", "x"], "akscli") is None
    assert cached_help(["--debug", "--help"], "akscli") is None
    assert cached_help(["no-such-group", "--help"], "akscli") is None


def test_kubectl_plugin_help_names_kubectl_akscli() -> None:
    text = cached_help(["--help"], "kubectl akscli")
    assert text is not None and text.startswith("Usage: kubectl akscli")


def test_exit_codes_page_lists_every_code() -> None:
    text = (REPO / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    for code in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130):
        assert f"| {code} |" in text


def _relative_links() -> list[tuple[str, str]]:
    """(doc, link) for every relative Markdown link of README.md and docs/ (change notes aside)."""
    docs = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    found = []
    for doc in docs:
        if "changes" in doc.relative_to(REPO).parts:
            continue
        for link in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if not link.startswith(("http://", "https://", "mailto:", "#")):
                found.append((doc.relative_to(REPO).as_posix(), link))
    return found


@pytest.mark.parametrize(("doc", "link"), _relative_links(), ids=lambda v: str(v))
def test_a_relative_doc_link_resolves(doc: str, link: str) -> None:
    target = (REPO / doc).parent / link.split("#", 1)[0]
    assert target.exists(), f"{doc} links to {link}, which does not exist"


def test_no_change_note_has_two_rows_in_the_changes_table() -> None:
    # A note revised later replaces its row; a second row for it reads as two changes.
    table = (REPO / "docs" / "changes" / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|")[-2] for line in table.splitlines() if line.startswith("| ")]
    linked = [m for row in rows for m in set(re.findall(r"\]\(([^)#]+\.md)\)", row))]
    assert sorted({note for note in linked if linked.count(note) > 1}) == []
