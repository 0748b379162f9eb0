"""Every example in README.md and docs/*.md that needs no cluster and no Azure account runs as
written and succeeds: `model catalog`, `model plan`, `--dry-run=client`, `render`, `version`,
`completion`. test_docs_examples checks each line's flags against the command tree without running
it, so a value the command refuses (a preset renamed in the catalog, a VM size, a value's format)
passed there; the runbooks, the README tour and getting-started's deploy block run the lines that
need a cluster (tests/runbooks)."""

from __future__ import annotations

import re

import pytest

from tests.cli import invoke
from tests.foundation.test_docs_examples import ELLIPSES, Example, all_examples

# Lines of these commands reach nothing outside the process.
OFFLINE = (("model", "catalog"), ("model", "plan"), ("render",), ("version",), ("completion",))
# What such a line may still need that this test does not have, and why.
NEEDS = {"--hub-config": "reads the model's config.json from Hugging Face"}
_SYNOPSIS = re.compile(r"^(<.*>|[A-Z][A-Z0-9_]*|.*\|.*|\[.*|.*\])$")


def _runs_offline(example: Example) -> bool:
    args = example.args
    if not (any(tuple(args[: len(c)]) == c for c in OFFLINE) or "--dry-run=client" in args):
        return False
    if any(word in NEEDS for word in args):
        return False
    return not any(_SYNOPSIS.match(word) or word in ELLIPSES for word in args)


def _examples() -> list[Example]:
    seen: set[tuple[str, ...]] = set()
    found = []
    for example in all_examples():
        if _runs_offline(example) and tuple(example.args) not in seen:
            seen.add(tuple(example.args))
            found.append(example)
    return found


EXAMPLES = _examples()


def test_the_offline_examples_include_the_readme_set_up_and_the_getting_started_plans() -> None:
    lines = {" ".join(e.args) for e in EXAMPLES}
    assert "model plan phi-4 --max-model-len 8192 --concurrency 8" in lines  # README set-up
    assert "model deploy phi-4 --dry-run=client" in lines
    assert "model catalog llama" in lines  # getting-started: Plan before you spend
    assert any(line.startswith("model plan my-org/my-model --weights-gib 26") for line in lines)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_an_offline_doc_example_runs_as_written(example: Example) -> None:
    # No kubeconfig and no Azure account: a line that tried to reach either would fail here.
    result = invoke(*example.args, env={"KUBECONFIG": "/nonexistent/kubeconfig", "AZURE_SUBSCRIPTION_ID": None})
    assert result.exit_code == 0, f"{example.id}: akscli {example.text}\n{result.stderr}"
    assert result.stdout
