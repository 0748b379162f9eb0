"""Merging AKS kubeconfigs into existing multi-context files."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from akscli.azure.kubeconfig import merge_kubeconfig
from akscli.errors import ConflictError, UsageError

EXISTING = """\
apiVersion: v1
# the developer's own comment stays
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: https://prod.example.com:443
  name: prod
- cluster:
    insecure-skip-tls-verify: true
    server: "https://kind.local:6443"
  name: kind
contexts:
- context:
    cluster: prod
    namespace: payments
    user: prod-admin
  name: prod
- context: {cluster: kind, user: kind}
  name: kind
current-context: prod
kind: Config
preferences: {}
users:
- name: prod-admin
  user:
    token: 'abc'
- name: kind
  user:
    client-certificate-data: Q0VSVA==
"""

INDENTED = """\
apiVersion: v1
clusters:
  - cluster:
      server: https://old.example.com
    name: old
contexts:
  - context:
      cluster: old
      user: old
    name: old
current-context: old
kind: Config
users:
  - name: old
    user:
      token: t
"""


def aks_kubeconfig(name: str, server: str = "https://x.hcp.eastus.azmk8s.io:443") -> bytes:
    return f"""\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: TkVX
    server: {server}
  name: {name}
contexts:
- context:
    cluster: {name}
    user: clusterUser_rg_{name}
  name: {name}
current-context: {name}
kind: Config
users:
- name: clusterUser_rg_{name}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args: [token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
      command: akscli
""".encode()


def load(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text())


def test_existing_entries_and_comments_are_kept_byte_for_byte(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    text = cfg.read_text()
    old_clusters = EXISTING.split("contexts:")[0].split("clusters:\n")[1]
    assert old_clusters in text
    assert "- context: {cluster: kind, user: kind}\n  name: kind\n" in text
    assert "# the developer's own comment stays" in text
    assert "    token: 'abc'\n" in text


def test_new_context_is_added_and_made_current(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    data = load(cfg)
    assert [c["name"] for c in data["contexts"]] == ["prod", "kind", "aks1"]
    assert data["current-context"] == "aks1"
    assert result.added == ["cluster aks1", "user clusterUser_rg_aks1", "context aks1"]


def test_file_indentation_style_is_kept_for_indented_sequences(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(INDENTED)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    text = cfg.read_text()
    assert "clusters:\n  - cluster:\n      server: https://old.example.com\n    name: old\n" in text
    assert [c["name"] for c in load(cfg)["clusters"]] == ["old", "aks1"]


def test_a_backup_of_the_old_file_is_written_with_its_mode(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o600)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert result.backup is not None
    assert Path(result.backup).read_text() == EXISTING
    assert stat.S_IMODE(Path(result.backup).stat().st_mode) == 0o600


def test_a_missing_file_and_directory_are_created(tmp_path: Path) -> None:
    cfg = tmp_path / "new" / ".kube" / "config"
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert load(cfg)["current-context"] == "aks1"
    assert result.backup is None


def test_a_different_entry_of_the_same_name_needs_overwrite_existing(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    before = cfg.read_bytes()
    with pytest.raises(ConflictError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1", "https://moved:443"), str(cfg))
    assert "cluster aks1" in err.value.message
    assert "--overwrite-existing" in (err.value.hint or "")
    assert cfg.read_bytes() == before


def test_overwrite_existing_replaces_the_entry_in_place(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("kind", "https://first:443"), str(cfg), overwrite_existing=True)
    data = load(cfg)
    assert [c["name"] for c in data["clusters"]] == ["prod", "kind"]
    assert data["clusters"][1]["cluster"]["server"] == "https://first:443"


def test_merging_the_same_kubeconfig_twice_changes_nothing(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    before = cfg.read_bytes()
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert result.added == [] and result.replaced == []
    assert cfg.read_bytes() == before


def test_a_symlinked_kubeconfig_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "kubeconfig"
    real.parent.mkdir()
    real.write_text(EXISTING)
    link = tmp_path / "config"
    link.symlink_to(real)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(link))
    assert link.is_symlink()
    assert "aks1" in real.read_text()


def test_an_unparseable_existing_file_is_refused_untouched(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text("clusters: [unclosed\n")
    with pytest.raises(UsageError):
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert cfg.read_text() == "clusters: [unclosed\n"


def _merge_one(args: tuple[str, int]) -> None:
    path, i = args
    merge_kubeconfig(aks_kubeconfig(f"aks{i}"), path)


def test_concurrent_writers_never_lose_an_entry_or_corrupt_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    n = 12
    with multiprocessing.get_context("fork").Pool(6) as pool:
        pool.map(_merge_one, [(str(cfg), i) for i in range(n)])
    data = load(cfg)
    names = {c["name"] for c in data["contexts"]}
    assert names == {"prod", "kind"} | {f"aks{i}" for i in range(n)}
    assert len(data["users"]) == n + 2
    assert "- context: {cluster: kind, user: kind}\n  name: kind\n" in cfg.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
