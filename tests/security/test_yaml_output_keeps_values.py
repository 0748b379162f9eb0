"""What akscli prints with -o yaml is read back, by akscli and by kubectl, as the very values it
printed: a NEL (U+0085) is a line break to a YAML reader (YAML 1.1 spec 5.4; go-yaml/yaml v2
scannerc.go read_line reads it as "\\n"), and a lone line break inside a flow scalar is folded to a
space, so it is written escaped ("\\N") in a double-quoted scalar. Before, ruamel wrote it raw in
a single-quoted one, and ``a<NEL>b`` came back as ``a b``: a manifest piped to kubectl apply -f
carried another value than the one shown."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from akscli import yamlio
from tests.cli import invoke

VALUES = ["a\x85b", "a\x85\x85b", "\x85", "x\x85y: z", "a\u2028b", "plain", "yes"]


@pytest.mark.parametrize("value", VALUES, ids=ascii)
def test_a_value_dumped_as_yaml_is_read_back_the_same(value: str) -> None:
    doc = {"k": value, value: [value]}
    text = yamlio.dump(doc)
    assert yamlio.load(text, "printed", kubernetes=True) == doc
    assert yamlio.load(text, "printed") == doc


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_reads_a_nel_in_akscli_s_yaml_as_akscli_printed_it(kubeconfig: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.json"
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "nel", "annotations": {"note": "a\x85b"}},
        "data": {"k": "x\x85y"},
    }
    manifest.write_text(json.dumps(obj))
    printed = invoke("apply", "-f", str(manifest), "--dry-run=client", "-o", "yaml")
    assert printed.exit_code == 0, printed
    (tmp_path / "printed.yaml").write_text(printed.stdout)
    read = subprocess.run(
        ["kubectl", "create", "--dry-run=client", "-o", "json", "-f", str(tmp_path / "printed.yaml")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert read.returncode == 0, read.stderr
    back = json.loads(read.stdout)
    assert back["data"] == {"k": "x\x85y"}
    assert back["metadata"]["annotations"] == {"note": "a\x85b"}
