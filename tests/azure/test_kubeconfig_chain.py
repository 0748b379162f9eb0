"""A $KUBECONFIG of several files and a symlinked kubeconfig, written as kubectl writes them.

Upstream: kubernetes/client-go tools/clientcmd/config.go (``ModifyConfig``: a changed entry goes
to the file it came from, its ``LocationOfOrigin``; a new one and the current context to
``GetDefaultFilename``: the one file, else the first that exists, else the last; every file of the
chain is locked, by the name it is given, in sorted order) and loader.go (``lockName``:
``<file>.lock``; ``WriteToFile``: ``os.WriteFile``, which writes through a link).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from akscli.azure import kubeconfig
from akscli.azure.kubeconfig import merge_kubeconfig
from akscli.errors import ConflictError, UsageError
from tests.azure.test_kubeconfig import EXISTING, aks_kubeconfig

KUBECTL = shutil.which("kubectl")


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text())


def names(path: Path, section: str) -> list[str]:
    return [e["name"] for e in load(path).get(section) or []]


@pytest.fixture
def chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    first, second = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("KUBECONFIG", f"{first}{os.pathsep}{second}")
    return first, second


def test_with_no_file_of_the_chain_yet_the_last_one_is_written(chain: tuple[Path, Path]) -> None:
    first, second = chain
    merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert second.exists() and not first.exists()


def test_new_entries_go_to_the_first_file_of_the_chain_that_exists(chain: tuple[Path, Path]) -> None:
    first, second = chain
    second.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert not first.exists()
    assert "aks1" in names(second, "contexts") and load(second)["current-context"] == "aks1"


def test_a_replaced_entry_is_written_to_the_file_that_holds_it(chain: tuple[Path, Path]) -> None:
    first, second = chain
    first.write_text("apiVersion: v1\nkind: Config\ncurrent-context: ''\n")
    merge_kubeconfig(aks_kubeconfig("aks1", server="https://old:443"), str(second))
    result = merge_kubeconfig(aks_kubeconfig("aks1", server="https://new:443"), None, overwrite_existing=True)
    assert load(second)["clusters"][0]["cluster"]["server"] == "https://new:443"
    assert names(first, "clusters") == []  # not a second copy that would shadow it
    assert load(first)["current-context"] == ""  # the chain's current context is already aks1 (second's)
    assert f"cluster aks1 in {second}" in result.replaced


def test_an_entry_in_a_later_file_that_differs_is_a_conflict_naming_that_file(chain: tuple[Path, Path]) -> None:
    first, second = chain
    first.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1", server="https://old:443"), str(second))
    before = first.read_bytes(), second.read_bytes()
    with pytest.raises(ConflictError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1", server="https://new:443"), None)
    assert f"cluster aks1 in {second}" in err.value.message
    assert (first.read_bytes(), second.read_bytes()) == before


def test_an_entry_already_in_a_later_file_is_not_copied_to_the_first(chain: tuple[Path, Path]) -> None:
    first, second = chain
    first.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(second))
    result = merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert result.added == []
    assert "aks1" not in names(first, "clusters")


def test_the_current_context_goes_to_the_first_file_that_exists_when_it_changes(chain: tuple[Path, Path]) -> None:
    first, second = chain
    first.write_text(EXISTING)  # current-context: prod
    merge_kubeconfig(aks_kubeconfig("aks1"), str(second))
    merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert load(first)["current-context"] == "aks1"


def test_a_current_context_the_chain_already_has_is_not_written_again(chain: tuple[Path, Path]) -> None:
    """kubectl reads the first current-context of the chain; client-go's ModifyConfig writes one
    only where it changes, so a file that does not set it (here the first) is left alone."""
    first, second = chain
    first.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster: {server: 'https://o'}\n")
    merge_kubeconfig(aks_kubeconfig("aks1"), str(second))
    before = first.read_bytes(), second.read_bytes()
    result = merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert (first.read_bytes(), second.read_bytes()) == before
    assert result.context == "aks1" and result.added == [] and result.replaced == []


def test_a_dry_run_on_a_chain_writes_no_file(chain: tuple[Path, Path]) -> None:
    first, second = chain
    second.write_text(EXISTING)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), None, write=False)
    assert "context aks1" in result.added
    assert second.read_text() == EXISTING and not first.exists()
    assert not Path(str(second) + kubeconfig.BACKUP_SUFFIX).exists()


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_reads_the_chain_akscli_wrote(chain: tuple[Path, Path], tmp_path: Path) -> None:
    first, second = chain
    first.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1", server="https://old:443"), str(second))
    merge_kubeconfig(aks_kubeconfig("aks1", server="https://new:443"), None, overwrite_existing=True)
    assert KUBECTL is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "KUBECONFIG": os.environ["KUBECONFIG"]}
    done = subprocess.run(
        [KUBECTL, "config", "view", "-o", "jsonpath={.current-context} {.clusters[?(@.name=='aks1')].cluster.server}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "aks1 https://new:443"


def test_a_symlinked_kubeconfig_waits_for_kubectls_lock_on_the_links_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kubectl locks ``~/.kube/config.lock`` for a ~/.kube/config that is a link: akscli must
    take that same lock, not only one beside the link's target."""
    monkeypatch.setattr(kubeconfig, "LOCK_WAIT_SECONDS", 0.2)
    real = tmp_path / "dotfiles" / "kubeconfig"
    real.parent.mkdir()
    real.write_text(EXISTING)
    link = tmp_path / "config"
    link.symlink_to(real)
    (tmp_path / "config.lock").touch()  # kubectl config ... is writing
    with pytest.raises(ConflictError):
        merge_kubeconfig(aks_kubeconfig("aks1"), str(link))
    assert real.read_text() == EXISTING


def test_a_symlinked_kubeconfig_leaves_no_lock_beside_the_link_or_the_target(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "kubeconfig"
    real.parent.mkdir()
    real.write_text(EXISTING)
    link = tmp_path / "config"
    link.symlink_to(real)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(link))
    assert link.is_symlink() and "aks1" in real.read_text()
    assert not (tmp_path / "config.lock").exists() and not (real.parent / "kubeconfig.lock").exists()


def test_a_read_only_file_later_in_the_chain_that_need_not_change_is_no_obstacle(chain: tuple[Path, Path]) -> None:
    first, second = chain
    first.write_text(EXISTING)
    second.write_text(EXISTING.replace("prod", "shared"))
    os.chmod(second, 0o444)
    merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert "aks1" in names(first, "contexts")


def test_a_read_only_file_that_holds_the_entry_to_replace_refuses_the_whole_merge(chain: tuple[Path, Path]) -> None:
    first, second = chain
    first.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1", server="https://old:443"), str(second))
    os.chmod(second, 0o444)
    with pytest.raises(UsageError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1", server="https://new:443"), None, overwrite_existing=True)
    assert "read-only" in err.value.message
    assert first.read_text() == EXISTING  # nothing half-applied


def test_a_chain_of_relative_names_is_written_where_kubectl_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", f"./a{os.pathsep}./b")
    merge_kubeconfig(aks_kubeconfig("aks1"), None)
    assert (tmp_path / "b").exists() and not (tmp_path / "a").exists()


def test_a_relative_kubeconfig_path_is_locked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    merge_kubeconfig(aks_kubeconfig("aks1"), "./config")
    assert "aks1" in names(tmp_path / "config", "contexts")
    assert not (tmp_path / "config.lock").exists()
