"""A kubeconfig that a rename would not replace as kubectl does is written in place.

kubectl writes the file itself (kubernetes/client-go tools/clientcmd/loader.go ``WriteToFile``:
``os.WriteFile``, which opens the existing file with O_TRUNC and writes it): a file bind-mounted
into a container (``docker run -v ~/.kube/config:/root/.kube/config``), where rename(2) answers
EBUSY, is written, and a file with other hard links changes under each of its names. akscli
replaces a kubeconfig by renaming a temp file over it, except for those two.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from akscli.azure import kubeconfig, kubeconfig_files
from akscli.azure.kubeconfig import merge_kubeconfig
from akscli.errors import AkscliError
from tests.azure.test_kubeconfig import EXISTING, aks_kubeconfig

UNSHARE = shutil.which("unshare")


def contexts(text: str) -> list[str]:
    data: Any = YAML(typ="safe", pure=True).load(text)
    return [c["name"] for c in data["contexts"]]


def test_a_hard_linked_kubeconfig_changes_under_every_name(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    other = tmp_path / "config-for-ci"
    os.link(cfg, other)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert os.path.samefile(cfg, other)
    assert contexts(other.read_text()) == ["prod", "kind", "aks1"]
    assert Path(str(cfg) + kubeconfig.BACKUP_SUFFIX).read_text() == EXISTING


def test_a_kubeconfig_that_cannot_be_renamed_over_is_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What rename(2) answers for a mount point (EBUSY), simulated; the real bind mount is below."""
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o640)
    inode = cfg.stat().st_ino
    replace = os.replace

    def busy(src: Any, dst: Any) -> None:
        if Path(dst) == cfg:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        replace(src, dst)

    monkeypatch.setattr(kubeconfig.os, "replace", busy)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert contexts(cfg.read_text()) == ["prod", "kind", "aks1"]
    assert cfg.stat().st_ino == inode and stat.S_IMODE(cfg.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "config.akscli.bak"]  # no temp file left


def test_a_write_that_fails_is_one_line_naming_the_file_and_its_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.link(cfg, tmp_path / "other")

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(kubeconfig_files, "write_in_place", full)
    with pytest.raises(AkscliError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert err.value.message == f"cannot write the kubeconfig {cfg}: No space left on device"
    assert "config.akscli.bak" in (err.value.hint or "")
    assert not (tmp_path / "config.lock").exists()


def _can_bind_mount(tmp_path: Path) -> bool:
    if UNSHARE is None:
        return False
    (tmp_path / "probe-a").touch()
    (tmp_path / "probe-b").touch()
    probe = [UNSHARE, "-rm", "mount", "--bind", str(tmp_path / "probe-a"), str(tmp_path / "probe-b")]
    return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0


MERGE = """
import sys
from akscli.azure.kubeconfig import merge_kubeconfig
merge_kubeconfig(sys.stdin.buffer.read(), sys.argv[1])
"""


def test_a_bind_mounted_kubeconfig_is_written_through_the_mount(tmp_path: Path) -> None:
    """A real bind mount in a private mount namespace (``unshare -rm``), as a container has one."""
    if not _can_bind_mount(tmp_path):
        pytest.skip("bind mounts need unshare and user namespaces")
    host = tmp_path / "host-config"
    host.write_text(EXISTING)
    inside = tmp_path / "container" / ".kube" / "config"
    inside.parent.mkdir(parents=True)
    inside.touch()
    script = f'mount --bind "$1" "$2" && exec "$3" -c "{MERGE}" "$2"'
    args = [UNSHARE or "unshare", "-rm", "sh", "-c", script, "sh", str(host), str(inside), sys.executable]
    done = subprocess.run(args, input=aks_kubeconfig("aks1"), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert contexts(host.read_text()) == ["prod", "kind", "aks1"]
    assert sorted(p.name for p in inside.parent.iterdir()) == ["config", "config.akscli.bak"]
