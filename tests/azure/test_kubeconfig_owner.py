"""A kubeconfig the user may write, in a place or of a group a temp file and a rename would not keep.

kubectl writes the file itself (kubernetes/client-go tools/clientcmd/loader.go ``WriteToFile``:
``os.WriteFile``, which opens the existing file with O_TRUNC, so its owner, group and folder are
untouched) and locks only the name it was given (``lockFile``: ``<name>.lock``, beside a link, not
its target). So kubectl writes ~/.kube/config linked to a file the user owns in a folder they cannot
write (k3s's /etc/rancher/k3s/k3s.yaml after ``sudo chown $USER``), and a file of the user's whose
group they are not in (``sudo chown $USER`` leaves group root). akscli wrote neither: it refused
the folder, and ended in a traceback when chown(2) refused the group.

The writer is the user nobody where the tests run as root (a forked child), else the test's user.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal  # noqa: F401  imported before the fork: nobody cannot read the interpreter's own files
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ruamel.yaml.comments  # before the fork, as signal
import ruamel.yaml.util  # noqa: F401  (as signal)
from ruamel.yaml import YAML

from akscli.azure import kubeconfig
from akscli.azure.kubeconfig import merge_kubeconfig
from akscli.errors import AkscliError
from tests.azure.test_kubeconfig import EXISTING, aks_kubeconfig

KUBECTL = shutil.which("kubectl")
NOBODY = 65534
ROOT = os.geteuid() == 0


def contexts(path: Path) -> list[str]:
    data: Any = YAML(typ="safe", pure=True).load(path.read_text())
    return [c["name"] for c in data["contexts"]]


def _merge(path: str) -> None:
    code = 3
    try:
        if ROOT:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        merge_kubeconfig(aks_kubeconfig("aks1"), path)
        code = 0
    except AkscliError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        code = 2
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def merged_by_the_user(path: Path) -> int:
    """The exit code of a merge into ``path`` by the user (nobody under root): 0 merged, 2 refused
    with one line, 3 anything else (a traceback)."""
    child = multiprocessing.get_context("fork").Process(target=_merge, args=(str(path),))
    child.start()
    child.join(60)
    assert child.exitcode is not None
    return child.exitcode


def the_users(*paths: Path) -> None:
    for path in paths:
        if ROOT:
            os.chown(path, NOBODY, os.stat(path).st_gid)


@pytest.fixture
def box() -> Iterator[Path]:
    """A folder anyone may enter (tmp_path is its owner's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="akscli-owner-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for sub in folder.rglob("*"):
            if sub.is_dir() and not sub.is_symlink():
                os.chmod(sub, 0o755)
        shutil.rmtree(folder)


def k3s_link(box: Path) -> tuple[Path, Path]:
    """~/.kube/config linked to the user's own k3s.yaml in a folder only root may write."""
    folder, home = box / "k3s", box / "home"
    folder.mkdir()
    home.mkdir()
    target = folder / "k3s.yaml"
    target.write_text(EXISTING)
    os.chmod(target, 0o600)
    link = home / "config"
    link.symlink_to(target)
    the_users(target, home)
    os.chmod(folder, 0o555)
    return link, target


def test_a_link_to_the_users_file_in_a_folder_they_cannot_write_is_written_through(box: Path) -> None:
    link, target = k3s_link(box)
    assert merged_by_the_user(link) == 0
    assert link.is_symlink() and "aks1" in contexts(target)
    assert sorted(os.listdir(target.parent)) == ["k3s.yaml"]  # no lock, temp file or backup there
    assert sorted(os.listdir(link.parent)) == ["config", "config.akscli.bak"]  # the link's lock is gone


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_reads_what_akscli_wrote_through_the_link(box: Path) -> None:
    link, _ = k3s_link(box)
    assert merged_by_the_user(link) == 0
    assert KUBECTL is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(box), "KUBECONFIG": str(link)}
    done = subprocess.run(
        [KUBECTL, "config", "get-contexts", "-o", "name"], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(["aks1", *contexts(Path(str(link) + kubeconfig.BACKUP_SUFFIX))])


@pytest.mark.skipif(not ROOT, reason="only root can make a user's file of a group the user is not in")
def test_a_users_file_of_a_group_they_are_not_in_is_written_and_keeps_its_group(box: Path) -> None:
    home = box / "home"
    home.mkdir()
    cfg = home / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o600)
    os.chown(home, NOBODY, NOBODY)
    os.chown(cfg, NOBODY, 0)  # sudo chown nobody: the group stays root's
    assert merged_by_the_user(cfg) == 0
    info = os.stat(cfg)
    assert (info.st_uid, info.st_gid) == (NOBODY, 0)
    assert "aks1" in contexts(cfg)


def test_a_symlinked_kubeconfigs_backup_is_beside_the_link(tmp_path: Path) -> None:
    """The folder that holds the link holds its lock, so akscli can write it, and the backup of
    credentials lands where the user knows the kubeconfig is, not in a dotfiles folder."""
    target = tmp_path / "dotfiles" / "kubeconfig"
    target.parent.mkdir()
    target.write_text(EXISTING)
    link = tmp_path / "config"
    link.symlink_to(target)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(link))
    assert result.backup == str(tmp_path / "config.akscli.bak")
    assert (tmp_path / "config.akscli.bak").read_text() == EXISTING
    assert sorted(os.listdir(target.parent)) == ["kubeconfig"]
