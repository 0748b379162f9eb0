"""`render` of a template typed wrong listed all 25 templates; the hint now leads with the one
meant, typed as its path or as the basename `render` takes (akscli/render.py resolve_template)."""

from __future__ import annotations

import pytest

from tests.cli import invoke


@pytest.mark.parametrize("typed", ["kaito-workspce", "model/kaito-workspce"])
def test_a_template_typed_wrong_is_answered_with_its_path(typed: str) -> None:
    result = invoke("render", typed)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[1].startswith("hint: did you mean model/kaito-workspace? available: ")


def test_a_name_close_to_no_template_gets_the_list_alone() -> None:
    result = invoke("render", "zzz")
    assert result.stderr.splitlines()[1].startswith("hint: available: baremetal/clusterpolicy, ")
