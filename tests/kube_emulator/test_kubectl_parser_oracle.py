"""The kube emulator reads a labelSelector with akscli's own port of labels.Parse
(tests/emulators/kube/selectors.py label_requirements), so a bug in that port would show in akscli
and in the emulator alike and no emulator test would catch it. Here the port is held to an oracle
outside akscli: the real kubectl parses a label selector on the client, offline, in
``kubectl set selector --local`` (kubernetes/kubectl kubernetes-1.32.0 pkg/cmd/set/set_selector.go
getResourcesAndSelector -> metav1.ParseToLabelSelector -> labels.ParseToRequirements: the Go
parser of the API server, at kubectl's version, 1.32 here, the emulator's).

For each selector, kubectl and the emulator agree on:
- a refusal and its message (kubectl: ``error: couldn't parse the selector string "S": MESSAGE``,
  pkg/apis/meta/v1/helpers.go ParseToLabelSelector; the emulator: a 400 with MESSAGE);
- what an accepted selector holds: ParseToLabelSelector refuses the first ``!=`` or ``>``/``<``
  requirement by key with its own line, else set selector prints the equalities as the Service's
  selector, or refuses the set-based requirements listing them
  (``match expression [{key Op [values]}] not supported on this object``, updateSelectorForObject).

The selectors: upstream's tables (tests/foundation/test_selector_grammar.py), edge cases of the
grammar, and 160 strings drawn (seed 24) from the lexer's tokens.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from akscli.kube import selectors
from tests.emulators.kube import selectors as emulated
from tests.emulators.kube.status import ApiError
from tests.foundation.test_selector_grammar import SET_SELECTOR_PARSER

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
PREFIX = "error: couldn't parse the selector string "

EDGES = [
    "x in (a,,)",
    "x in (,,)",
    "x in (a,,,)",
    "x in (a,,b)",
    "x in (,)",
    "x in ( a , b )",
    "x in (a) y",
    "x notin(a)",
    "x in(a)",
    "x=",
    "x==",
    "=x",
    "x,",
    ",x",
    "!",
    "!!x",
    "x!",
    "!x,y",
    "x = a",
    "x\t==\tb",
    "x=a b",
    "x in (in)",
    "in in (notin)",
    "x=in",
    "x!=",
    "x>-1",
    "x>+1",
    "x>01",
    "x>9223372036854775807",
    "x>9223372036854775808",
    "x<a",
    "x>1,y<2",
    "x=é",
    "é=x",
    "k" * 63 + "=v",
    "k" * 64 + "=v",
    "k=" + "v" * 63,
    "k=" + "v" * 64,
    "example.com/a=b",
    "Example.com/a=b",
    "/a=b",
    "a/=b",
    "a/b/c=d",
    "a" * 254 + "/b=c",
    "-a=b",
    "a-=b",
    "a_b.c=d_e",
    "x=-a",
    "x=a-",
    "x notin (a,b),y,!z",
    "b=1,a in (x),c",
    "x=a,x=b",
]
TOKENS = ["a", "b", "x", "in", "notin", "(", ")", ",", "=", "==", "!=", "!", ">", "<", "1", "-", " ", "a/b", "A"]


def drawn(count: int = 160, seed: int = 24) -> list[str]:
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 7))).strip()
        # a leading '-' would be read as a flag by neither: "--" ends kubectl's flags anyway
        if text and text not in found:
            found.append(text)
    return found


CASES = list(dict.fromkeys([text for text, _ in SET_SELECTOR_PARSER] + EDGES + drawn()))


def emulator_says(text: str) -> str:
    """What kubectl would print, were the emulator's parser kubectl's: its refusal, or what
    ParseToLabelSelector and updateSelectorForObject make of the requirements."""
    try:
        requirements = emulated.label_requirements(text)
    except ApiError as exc:
        return f'{PREFIX}"{text}": {exc.message}'  # \"%s\", not %q
    equal: dict[str, str] = {}
    expressions = []
    names = {selectors.IN: "In", selectors.NOT_IN: "NotIn", selectors.EXISTS: "Exists"}
    names[selectors.DOES_NOT_EXIST] = "DoesNotExist"
    for req in requirements:
        if req.operator in (selectors.GT, selectors.LT):
            return f'error: "{req.operator}" isn\'t supported in label selectors'
        if req.operator == selectors.NOT_EQUALS:
            return 'error: "!=" is not a valid label selector operator'
        if req.operator in (selectors.EQUALS, selectors.DOUBLE_EQUALS):
            equal[req.key] = req.values[0]
        else:
            expressions.append(f"{{{req.key} {names[req.operator]} [{' '.join(sorted(req.values))}]}}")
    if expressions:
        return f"error: match expression [{' '.join(expressions)}] not supported on this object"
    return json.dumps(equal, sort_keys=True)


def kubectl_says(service: Path, text: str) -> str:
    r = subprocess.run(
        ["kubectl", "set", "selector", "--local", "-f", str(service), "-o", "json", "--", text],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if r.returncode != 0:
        return r.stderr.strip()
    return json.dumps(json.loads(r.stdout)["spec"].get("selector") or {}, sort_keys=True)


@pytest.fixture(scope="module")
def kubectl_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    service = tmp_path_factory.mktemp("oracle") / "service.json"
    service.write_text(json.dumps(SERVICE))
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CASES, pool.map(lambda text: kubectl_says(service, text), CASES), strict=True))


def test_the_oracle_is_kubectl_1_32_the_version_the_emulator_serves() -> None:
    r = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True, text=True, check=True)
    client = json.loads(r.stdout)["clientVersion"]
    assert (client["major"], client["minor"].rstrip("+")) == ("1", "32")


def test_kubectl_refuses_and_accepts_both_kinds_of_selector(kubectl_answers: dict[str, str]) -> None:
    # the oracle is not vacuous: the cases hold refusals, set-based and plain selectors
    answers = list(kubectl_answers.values())
    assert sum(a.startswith(PREFIX) for a in answers) > 60
    assert sum(a.startswith("error: match expression") for a in answers) > 15
    assert sum(a.startswith("{") for a in answers) > 10


@pytest.mark.parametrize("text", CASES)
def test_the_emulator_parses_a_label_selector_as_the_real_kubectl_does(
    kubectl_answers: dict[str, str], text: str
) -> None:
    assert emulator_says(text) == kubectl_answers[text]
