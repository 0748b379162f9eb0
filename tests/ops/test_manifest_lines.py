"""Where a field reached through a YAML merge key (``<<``) or an alias sits, and a key YAML 1.1
reads as a boolean, for ``policy check``'s lines (akscli.manifest_lines): the key node that holds
the value, as ruamel's SafeConstructor builds the mapping (flatten_mapping puts merged keys before
the mapping's own ones; the last one wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import manifest_lines, yamlio
from tests.ops._sarif import WEB_DEPLOYMENT_HEAD, first_location, sarif_of

MERGED = (
    WEB_DEPLOYMENT_HEAD
    + """\
      - &base
        name: web
        image: nginx:1.27
        resources:
          requests: {cpu: 1, memory: 1Gi}
          limits: {memory: 1Gi}
      - <<: *base
        name: sidecar
        image: nginx:latest
"""
)


def where(text: str, path: list[object], kubernetes: bool = True) -> tuple[int, int]:
    """The position of ``path``, read as a manifest (kubectl's plain scalars) or as YAML 1.2."""
    nodes: list[object] = []
    yamlio.load_all(text, kubernetes=kubernetes, nodes=nodes)
    return manifest_lines.position(nodes[0], path)


def test_a_key_set_beside_a_merge_key_has_its_own_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("web.yaml").write_text(MERGED)
    doc = sarif_of("-f", "web.yaml")
    assert first_location(doc, "image-latest")["physicalLocation"]["region"] == {"startLine": 20, "startColumn": 9}


def test_a_field_only_a_merge_key_brings_sits_at_its_anchor() -> None:
    assert where(MERGED, ["spec", "template", "spec", "containers", 1, "resources"]) == (15, 9)


@pytest.mark.parametrize("kubernetes", [True, False], ids=["manifest", "yaml-1.2"])
def test_of_several_merged_mappings_the_first_holds_the_value(kubernetes: bool) -> None:
    text = "a: &a {image: first}\nb: &b {image: second}\nc:\n  <<: [*a, *b]\n  name: web\n"
    assert yamlio.load_all(text, kubernetes=kubernetes)[0]["c"]["image"] == "first"
    assert where(text, ["c", "image"], kubernetes) == (1, 8)


def test_an_alias_sits_at_its_anchor() -> None:
    text = "a: &a {image: nginx:latest}\nb:\n- *a\n"
    assert where(text, ["b", 0, "image"]) == (1, 8)


def test_a_key_kubectl_reads_as_a_boolean_has_its_line() -> None:
    # go-yaml v2 reads a plain yes as true and sigs.k8s.io/yaml writes the key "true" (akscli.kubeyaml).
    text = "metadata:\n  labels:\n    x: a\n    yes: b\n"
    assert yamlio.load_all(text, kubernetes=True)[0]["metadata"]["labels"] == {"x": "a", "true": "b"}
    assert where(text, ["metadata", "labels", "true"]) == (4, 5)


def test_a_key_kubectl_reads_as_a_number_has_its_line() -> None:
    assert where("ports:\n  0x50: web\n", ["ports", "80"]) == (2, 3)


def test_a_key_a_yaml_1_1_directive_makes_a_boolean_has_its_line() -> None:
    text = "%YAML 1.1\n---\nmetadata:\n  labels:\n    x: a\n    yes: b\n"
    assert yamlio.load_all(text)[0]["metadata"]["labels"] == {"x": "a", True: "b"}
    assert where(text, ["metadata", "labels", True], kubernetes=False) == (6, 5)
