"""A manifest means the same to ``akscli apply -f`` as to ``kubectl apply -f``.

kubectl reads YAML 1.1 as go-yaml v2 resolves it (sigs.k8s.io/yaml YAMLToJSON, kubernetes-sigs/yaml
goyaml.v2/resolve.go): the real kubectl is the oracle here. ``kubectl annotate --local -f FILE
-o json`` prints the object as kubectl read it without asking any server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from akscli import manifests, yamlio
from akscli.errors import UsageError
from tests.cli import invoke

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")

# One plain scalar per case, and its quoted forms, which every reader keeps as text.
SCALARS = {
    "leading-zero-octal": "0644",
    "0o-octal": "0o644",
    "hexadecimal": "0x1F",
    "signed-hexadecimal": "-0x1F",
    "binary": "0b101",
    "underscores": "1_000",
    "underscores-in-a-float": "1_000.5",
    "explicit-plus": "+12",
    "not-octal-reads-as-float": "08",
    "exponent-without-dot": "1e3",
    "whole-float": "1.0",
    "fraction": ".5",
    "small-exponent": "1.5e-7",
    "negative-zero": "-0.0",
    "beyond-float-range": "1e400",
    "beyond-int64": "9223372036854775808",
    "beyond-uint64": "99999999999999999999999",
    "hexadecimal-beyond-64-bits": "0x1FFFFFFFFFFFFFFFFFF",
    "yes": "yes",
    "no": "no",
    "on": "on",
    "off": "off",
    "y": "y",
    "n": "n",
    "True": "True",
    "ON": "ON",
    "tilde": "~",
    "null": "null",
    "Null": "Null",
    "empty": "",
    "date": "2001-12-14",
    "timestamp": "2001-12-14t21:59:43.10-05:00",
    "impossible-date": "2001-02-30",
    "sexagesimal": "12:30",
    "word": "NaN",
}


def _manifest(value: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: {value}\n"


def _kubectl_reads(path: Path) -> Any:
    assert KUBECTL is not None
    out = subprocess.run(
        [KUBECTL, "annotate", "--local", "-f", str(path), "akscli.test/read=1", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "KUBECONFIG": os.devnull},
    )
    return json.loads(out.stdout)["data"]


def _akscli_reads(path: Path) -> Any:
    objects, _ = manifests.load([str(path)])
    # The JSON the kubernetes client sends, read back as kubectl's output is.
    return json.loads(json.dumps(objects[0]["data"]))


@needs_kubectl
@pytest.mark.parametrize("quote", ["", "'", '"'], ids=["plain", "single-quoted", "double-quoted"])
@pytest.mark.parametrize("value", list(SCALARS.values()), ids=list(SCALARS))
def test_a_scalar_reads_as_kubectl_reads_it(value: str, quote: str, tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text(_manifest(f"{quote}{value}{quote}"))
    assert _akscli_reads(path) == _kubectl_reads(path)


@needs_kubectl
def test_mapping_keys_read_as_kubectl_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {y: a, 2: b, 0x10: c, off: d}\n")
    assert _akscli_reads(path) == _kubectl_reads(path) == {"true": "a", "2": "b", "16": "c", "false": "d"}


@needs_kubectl
def test_the_c_and_the_pure_parser_read_a_manifest_alike(tmp_path: Path) -> None:
    text = _manifest("[" + ", ".join(v for v in SCALARS.values() if v) + "]")
    pure = yamlio._yaml(kubernetes=True).load(text)
    assert yamlio.load(text, kubernetes=True) == pure
    path = tmp_path / "cm.yaml"
    path.write_text(text)
    assert json.loads(json.dumps(pure["data"])) == _kubectl_reads(path)


@needs_kubectl
@pytest.mark.parametrize("value", [".inf", "-.Inf", ".nan"])
def test_infinity_and_nan_are_refused_as_kubectl_refuses_them(value: str, tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text(_manifest(value))
    assert KUBECTL is not None
    kubectl = subprocess.run(
        [KUBECTL, "annotate", "--local", "-f", str(path), "a=1", "-o", "json"],
        capture_output=True,
        env={**os.environ, "KUBECONFIG": os.devnull},
        timeout=60,
    )
    assert kubectl.returncode != 0
    with pytest.raises(UsageError, match="no JSON number"):
        manifests.load([str(path)])


def test_a_json_manifest_sends_whole_floats_as_integers() -> None:
    assert yamlio.load('{"replicas": 2.0, "ratio": 0.5}', kubernetes=True) == {"replicas": 2, "ratio": 0.5}


def test_akscli_own_files_keep_yaml_1_2() -> None:
    assert yamlio.load("a: 0644\nb: yes\n") == {"a": 644, "b": "yes"}


SECRET_VOLUME_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  containers:
  - name: main
    image: busybox:1.36
  volumes:
  - name: creds
    secret:
      secretName: creds
      defaultMode: 0644
"""


def test_default_mode_0644_is_applied_as_420(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(SECRET_VOLUME_POD)
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    pod = kube_emulator.cluster.get("v1", "Pod", "default", "reader")
    assert pod["spec"]["volumes"][0]["secret"]["defaultMode"] == 420


@needs_kubectl
def test_yaml_output_keeps_strings_strings_for_kubectl(tmp_path: Path) -> None:
    data = {f"k{i}": value for i, value in enumerate(v for v in SCALARS.values() if v)}
    path = tmp_path / "cm.yaml"
    path.write_text(yamlio.dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": data}))
    assert _kubectl_reads(path) == data
    assert yamlio.load(path.read_text())["data"] == data  # and YAML 1.2 readers (akscli's own) agree


def test_a_plain_scalar_is_read_without_ruamels_constructor_look_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: most of a manifest's nodes are plain scalars; ruamel's construct_object keeps each in its
    # memo and finds its constructor by the tag's text. A quoted scalar still takes that path.
    from ruamel.yaml.constructor import BaseConstructor

    looked_up: list[str] = []
    real = BaseConstructor.construct_non_recursive_object

    def counted(self: Any, node: Any, tag: Any = None) -> Any:
        looked_up.append(type(node).__name__)
        return real(self, node, tag)

    monkeypatch.setattr(BaseConstructor, "construct_non_recursive_object", counted)
    assert yamlio.load_all("a: 0644\nb: [x, 'y', yes]\n", kubernetes=True) == [{"a": 420, "b": ["x", "y", True]}]
    assert sorted(looked_up) == ["MappingNode", "ScalarNode", "SequenceNode"]


def test_a_mapping_of_plain_keys_is_read_without_ruamels_merge_key_search(monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: SafeConstructor.flatten_mapping turns every key's tag into text to find a merge key; a
    # mapping whose keys are all plain scalars has none. A merge key still merges.
    from ruamel.yaml.constructor import SafeConstructor

    searched: list[int] = []
    real = SafeConstructor.flatten_mapping

    def counted(self: Any, node: Any) -> Any:
        searched.append(len(node.value))
        return real(self, node)

    monkeypatch.setattr(SafeConstructor, "flatten_mapping", counted)
    text = "base: &b {cpu: 1}\nmerged:\n  <<: *b\n  mem: 2\n"
    assert yamlio.load_all(text, kubernetes=True) == [{"base": {"cpu": 1}, "merged": {"cpu": 1, "mem": 2}}]
    assert searched == [2, 1]  # the mapping with the merge key, and the one it merges


def test_a_duplicate_plain_key_is_refused_as_ruamel_refuses_it() -> None:
    with pytest.raises(UsageError, match='line 3, column 3: found duplicate key "b"'):
        yamlio.load_all("a:\n  b: 1\n  b: 2\n", "doc.yaml", kubernetes=True)
