"""``policy check -o sarif`` as GitHub code scanning reads it: each finding's file relative to the
repository's root (``uriBaseId`` %SRCROOT%, ``originalUriBaseIds``) and the line of its field
(``region.startLine``; microsoft/sarif-sdk GH1003 ProvideRequiredRegionProperties)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import invoke
from tests.ops._sarif import WEB_DEPLOYMENT_HEAD, first_location, sarif_of
from tests.ops.test_policy import deployment, load_balancer

MANIFEST = (
    """\
# the web stack
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  ports: [{port: 80}]
---
"""
    + WEB_DEPLOYMENT_HEAD
    + """\
      - name: web
        image: nginx:latest
        resources:
          requests: {cpu: 1, memory: 1Gi}
          limits: {memory: 1Gi}
"""
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git checkout with the manifest in deploy/k8s/, policy check run from deploy/."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "deploy" / "k8s").mkdir(parents=True)
    (root / "deploy" / "k8s" / "web app.yaml").write_text(MANIFEST)
    monkeypatch.chdir(root / "deploy")
    return root


def test_each_finding_has_the_line_of_its_field(repo: Path) -> None:
    doc = sarif_of("-f", "k8s")
    assert first_location(doc, "service-load-balancer")["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 3,
    }
    assert first_location(doc, "image-latest")["physicalLocation"]["region"] == {"startLine": 22, "startColumn": 9}


def test_a_file_is_named_relative_to_the_repository_root(repo: Path) -> None:
    doc = sarif_of("-f", str(repo / "deploy" / "k8s"))
    location = first_location(doc, "image-latest")["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "deploy/k8s/web%20app.yaml", "uriBaseId": "%SRCROOT%"}
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_a_file_outside_the_repository_is_an_absolute_file_uri(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "elsewhere" / "svc.yaml"
    outside.parent.mkdir()
    outside.write_text(MANIFEST)
    doc = sarif_of("-f", str(outside))
    location = first_location(doc, "image-latest")["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.resolve().as_uri()}


def test_an_item_of_a_json_list_has_its_own_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    items = [deployment(), load_balancer()]
    Path("list.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, indent=2))
    doc = sarif_of("-f", "list.json")
    region = first_location(doc, "service-load-balancer")["physicalLocation"]["region"]
    lines = Path("list.json").read_text().splitlines()
    assert '"type": "LoadBalancer"' in lines[region["startLine"] - 1]


def test_stdin_has_no_file_to_point_at() -> None:
    result = invoke("policy", "check", "-f", "-", "-o", "sarif", input=MANIFEST)
    location = first_location(json.loads(result.stdout), "image-latest")
    assert "physicalLocation" not in location
    assert location["logicalLocations"] == [{"fullyQualifiedName": "Deployment default/web", "kind": "resource"}]


def test_every_rule_has_the_descriptions_github_shows(repo: Path) -> None:
    rules = sarif_of("-f", "k8s")["runs"][0]["tool"]["driver"]["rules"]
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] for r in rules)


def test_json_output_gives_each_finding_its_line(repo: Path) -> None:
    result = invoke("policy", "check", "-f", "k8s", "-o", "json")
    found = {f["rule"]: f for f in json.loads(result.stdout)["items"]}
    assert (found["image-latest"]["source"], found["image-latest"]["line"]) == ("k8s/web app.yaml", 22)


def test_a_manifest_only_the_pure_parser_reads_still_has_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # libyaml refuses a ':' inside a flow scalar; ruamel's YAML 1.2 parser reads it (akscli.yamlio).
    Path("web.yaml").write_text(MANIFEST.replace("ports: [{port: 80}]", "externalIPs: [http://host:80]"))
    doc = sarif_of("-f", "web.yaml")
    assert first_location(doc, "image-latest")["physicalLocation"]["region"] == {"startLine": 22, "startColumn": 9}
