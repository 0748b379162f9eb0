"""akscli's matcher of a LabelSelector (akscli.kube.label_selector, on its port of
Requirement.Matches) and the emulator's own (tests/emulators/kube/controllers/fleet_scheduler.py
matches_selector, written apart from it) agree on every non-null selector over two keys: the
emulator's controllers stay an oracle for what akscli predicts of Fleet, Prometheus, Gateway and
pod affinity selectors. (A null selector is each caller's own rule: see
tests/foundation/test_label_selector_callers.py.)"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from akscli.kube import label_selector
from tests.emulators.kube.controllers.fleet_scheduler import matches_selector

KEYS = ("a", "b")
LABEL_SETS = [
    {k: v for k, v in zip(KEYS, values, strict=True) if v is not None}
    for values in itertools.product((None, "x", "y", ""), repeat=2)
]


def expression(rng: random.Random) -> dict[str, Any]:
    key, operator = rng.choice(KEYS), rng.choice(("In", "NotIn", "Exists", "DoesNotExist"))
    if operator in ("Exists", "DoesNotExist"):
        return {"key": key, "operator": operator}
    return {"key": key, "operator": operator, "values": rng.sample(["x", "y", ""], rng.randint(1, 2))}


def drawn(count: int = 120, seed: int = 24) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found: list[dict[str, Any]] = [{}]
    while len(found) < count:
        selector: dict[str, Any] = {}
        if rng.random() < 0.5:
            selector["matchLabels"] = {k: rng.choice(("x", "y", "")) for k in rng.sample(KEYS, rng.randint(1, 2))}
        if rng.random() < 0.8:
            selector["matchExpressions"] = [expression(rng) for _ in range(rng.randint(1, 3))]
        found.append(selector)
    return found


@pytest.mark.parametrize("selector", drawn(), ids=str)
def test_akscli_and_the_emulator_select_the_same_label_sets(selector: dict[str, Any]) -> None:
    akscli = [label_selector.matches(selector, labels) for labels in LABEL_SETS]
    assert akscli == [matches_selector(selector, labels) for labels in LABEL_SETS]
