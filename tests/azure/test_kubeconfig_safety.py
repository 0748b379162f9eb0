"""Kubeconfig writes that kubectl can live with: client-go's lock, owner, mode and format kept."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import pytest
from ruamel.yaml import YAML

from akscli.azure import kubeconfig
from akscli.azure.kubeconfig import merge_kubeconfig
from akscli.errors import ConflictError, UsageError
from tests.azure.test_kubeconfig import EXISTING, aks_kubeconfig

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
NOBODY = 65534


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text())


def kubectl(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cfg.parent), "KUBECONFIG": str(cfg)}
    return subprocess.run([KUBECTL, "config", *args], env=env, capture_output=True, text=True, timeout=30)


@needs_kubectl
def test_no_lock_file_is_left_so_kubectl_can_still_change_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert not (tmp_path / "config.lock").exists()
    done = kubectl(cfg, "use-context", "prod")
    assert done.returncode == 0, done.stderr
    assert load(cfg)["current-context"] == "prod"


def _merge_many(path: str, first: int, count: int) -> None:
    for i in range(first, first + count):
        merge_kubeconfig(aks_kubeconfig(f"aks{i}"), path)


@needs_kubectl
def test_akscli_writing_while_kubectl_writes_loses_none_of_kubectls_entries(tmp_path: Path) -> None:
    """akscli takes client-go's lock and reads the file under it, so nothing kubectl wrote is lost.

    The converse cannot be promised by any tool: `kubectl config set-context` reads the whole file
    *before* it takes the lock, and under the lock deletes every context, cluster and user that the
    file has and its early read lacked (kubernetes/kubernetes
    staging/src/k8s.io/client-go/tools/clientcmd/config.go, ModifyConfig: "then from old to new for
    deletions"). An entry akscli merges inside that window is removed by kubectl, as one kubectl
    removes another's. So this test holds kubectl's entries, the file's integrity and the lock, and
    two akscli writers losing nothing is held by tests/azure/test_kubeconfig.py
    ::test_concurrent_writers_never_lose_an_entry_or_corrupt_the_file.
    """
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_merge_many, args=(str(cfg), w * 5, 5)) for w in range(2)]
    for writer in writers:
        writer.start()
    made: list[str] = []
    for i in range(8):
        # kubectl fails at once while the lock is held (client-go does not wait): retry as a user would.
        for _ in range(200):
            done = kubectl(cfg, "set-context", f"kctx{i}", "--cluster=prod", "--user=prod-admin")
            if done.returncode == 0:
                made.append(f"kctx{i}")
                break
            assert "file exists" in done.stderr, done.stderr
            time.sleep(0.02)
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    names = {c["name"] for c in load(cfg)["contexts"]}
    assert set(made) == {f"kctx{i}" for i in range(8)}
    assert names >= {"prod", "kind", *made}
    assert kubectl(cfg, "get-contexts", "-o", "name").returncode == 0
    assert not (tmp_path / "config.lock").exists()


@needs_kubectl
def test_akscli_and_kubectl_taking_turns_lose_nothing(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    for i in range(3):
        merge_kubeconfig(aks_kubeconfig(f"aks{i}"), str(cfg))
        done = kubectl(cfg, "set-context", f"kctx{i}", "--cluster=prod", "--user=prod-admin")
        assert done.returncode == 0, done.stderr
    names = {c["name"] for c in load(cfg)["contexts"]}
    assert names >= {"prod", "kind", *(f"aks{i}" for i in range(3)), *(f"kctx{i}" for i in range(3))}


def test_a_lock_held_by_another_writer_is_waited_for_then_taken(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    lock = tmp_path / "config.lock"
    lock.touch()
    threading.Timer(0.3, lock.unlink).start()
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert "aks1" in cfg.read_text()
    assert not lock.exists()


def test_a_lock_that_stays_fails_after_a_bounded_wait_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kubeconfig, "LOCK_WAIT_SECONDS", 0.2)
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    lock = tmp_path / "config.lock"
    lock.touch()
    with pytest.raises(ConflictError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert str(lock) in err.value.message and str(lock) in (err.value.hint or "")
    assert cfg.read_text() == EXISTING
    assert lock.exists()  # someone else's lock is never removed


def stale_lock(cfg: Path, age: float) -> Path:
    lock = cfg.with_name(cfg.name + ".lock")
    lock.touch()
    made = time.time() - age
    os.utime(lock, (made, made))
    return lock


def test_a_lock_older_than_the_wait_is_refused_at_once_naming_its_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kubectl and akscli hold the lock for milliseconds: one made 5 minutes ago was left by a
    writer that was stopped, and waiting 10 s for it would only delay the same answer."""

    def no_wait(_: float) -> None:
        raise AssertionError("waited for a lock left 5 minutes ago")

    monkeypatch.setattr(kubeconfig, "time", SimpleNamespace(monotonic=time.monotonic, time=time.time, sleep=no_wait))
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    lock = stale_lock(cfg, 300)
    with pytest.raises(ConflictError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert f"{lock} was made 5m ago" in err.value.message and "stopped" in err.value.message
    assert f"remove {lock}" in (err.value.hint or "")
    assert cfg.read_text() == EXISTING and lock.exists()  # someone else's lock is never removed


@needs_kubectl
def test_kubectl_too_fails_at_once_on_a_lock_left_behind(tmp_path: Path) -> None:
    """The oracle: client-go's ``lockFile`` is one O_CREATE|O_EXCL open, no wait."""
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    lock = stale_lock(cfg, 300)
    done = kubectl(cfg, "use-context", "kind")
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: open {lock}: file exists"


def test_the_file_mode_is_kept_and_a_new_file_is_private(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o640)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    assert result.backup is not None
    fresh = tmp_path / "fresh"
    merge_kubeconfig(aks_kubeconfig("aks1"), str(fresh))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_the_backup_is_private_whatever_the_files_mode(tmp_path: Path) -> None:
    """The backup holds the same credentials and stays beside the file: after 'chmod 600 config',
    which the mode warning asks for, a backup with the file's old mode would still let others read them."""
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o644)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert result.backup is not None and stat.S_IMODE(Path(result.backup).stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o644  # the file's own mode is the user's to change


def test_a_read_only_kubeconfig_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o400)
    with pytest.raises(UsageError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert "read-only" in err.value.message and "\n" not in err.value.message
    assert cfg.read_text() == EXISTING
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o400


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_merge_run_as_root_keeps_the_users_ownership(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chown(cfg, NOBODY, NOBODY)
    result = merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert (cfg.stat().st_uid, cfg.stat().st_gid) == (NOBODY, NOBODY)
    assert result.backup is not None
    assert Path(result.backup).stat().st_uid == NOBODY


def test_a_json_kubeconfig_stays_json(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(json.dumps(load_text(EXISTING), indent=4))
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    data = json.loads(cfg.read_text())
    assert [c["name"] for c in data["contexts"]] == ["prod", "kind", "aks1"]
    assert cfg.read_text().startswith('{\n    "')


def load_text(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def test_a_crlf_kubeconfig_keeps_its_line_endings(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_bytes(EXISTING.replace("\n", "\r\n").encode())
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    raw = cfg.read_bytes()
    assert b"aks1" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b"apiVersion: v1\nclusters: \xff\xfe\n"), "not UTF-8"),
        (lambda p: p.write_text("just a string\n"), "not a kubeconfig"),
        # A plain 2001-02-30 resolves as a timestamp that no calendar has (kubectl reads it as text).
        (lambda p: p.write_text("apiVersion: v1\npreferences:\n  since: 2001-02-30\n"), "has a value YAML cannot read"),
    ],
    ids=["directory", "not-utf8", "plain-string", "impossible-date"],
)
def test_an_unusable_kubeconfig_gets_one_clear_line(
    tmp_path: Path, prepare: Callable[[Path], Any], expected: str
) -> None:
    cfg = tmp_path / "config"
    prepare(cfg)
    with pytest.raises(UsageError) as err:
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert expected in err.value.message
    assert "\n" not in err.value.message and err.value.hint


def _merge_as_nobody(path: str) -> None:
    if os.geteuid() == 0:
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    try:
        merge_kubeconfig(aks_kubeconfig("aks1"), path)
    except UsageError as exc:
        os._exit(2 if "read-only" in exc.message and "\n" not in exc.message else 3)
    os._exit(0)


def test_a_kubeconfig_in_a_read_only_folder_gets_one_clear_line() -> None:
    folder = Path(tempfile.mkdtemp(prefix="akscli-ro-"))
    try:
        os.chmod(folder.parent, os.stat(folder.parent).st_mode)  # /tmp stays as it is
        os.chmod(folder, 0o555)
        ctx = multiprocessing.get_context("fork")
        child = ctx.Process(target=_merge_as_nobody, args=(str(folder / "config"),))
        child.start()
        child.join(30)
        assert child.exitcode == 2
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_the_yaml_round_trip_is_done_before_the_lock_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kubectl fails at once on a lock it finds: akscli holds it only to read and write bytes."""
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    locked_while_rendering: list[bool] = []
    serialise = kubeconfig._serialise

    def watched(*args: Any) -> bytes:
        locked_while_rendering.append((tmp_path / "config.lock").exists())
        return serialise(*args)

    monkeypatch.setattr(kubeconfig, "_serialise", watched)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert locked_while_rendering == [False]
    assert "aks1" in [c["name"] for c in load(cfg)["contexts"]]


def test_a_kubeconfig_changed_before_the_lock_is_taken_is_merged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    all_locked = kubeconfig._all_locked

    def kubectl_writes_first(*args: Any) -> Any:
        # what 'kubectl config set-context' wrote between akscli's read and its lock
        cfg.write_text(
            EXISTING.replace("contexts:\n", "contexts:\n- context: {cluster: kind, user: kind}\n  name: ci\n")
        )
        return all_locked(*args)

    monkeypatch.setattr(kubeconfig, "_all_locked", kubectl_writes_first)
    merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert [c["name"] for c in load(cfg)["contexts"]] == ["ci", "prod", "kind", "aks1"]


@pytest.mark.parametrize(
    ("written_meanwhile", "error"),
    [
        (EXISTING.replace("name: kind\n", "name: aks1\n", 1), ConflictError),  # a different cluster aks1
        ("clusters: [\n", UsageError),  # a half-written file
    ],
    ids=["a-conflict-found-under-the-lock", "a-file-that-no-longer-parses"],
)
def test_a_merge_refused_under_the_lock_removes_the_lock_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written_meanwhile: str, error: type[Exception]
) -> None:
    """client-go releases its locks on every return of ``ModifyConfig`` (``defer unlockFile``):
    a lock left behind would fail every later ``kubectl config ...``."""
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    all_locked = kubeconfig._all_locked

    def someone_writes_first(*args: Any) -> Any:
        cfg.write_text(written_meanwhile)
        return all_locked(*args)

    monkeypatch.setattr(kubeconfig, "_all_locked", someone_writes_first)
    with pytest.raises(error):
        merge_kubeconfig(aks_kubeconfig("aks1"), str(cfg))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config"]  # no lock, backup or temp file
    assert cfg.read_text() == written_meanwhile


PAUSED_MERGE = """
import sys
from akscli.azure import kubeconfig
save = kubeconfig._save
def paused(*args, **kwargs):
    print("locked", flush=True)
    sys.stdin.readline()
    save(*args, **kwargs)
kubeconfig._save = paused
try:
    kubeconfig.merge_kubeconfig(open(sys.argv[2], "rb").read(), sys.argv[1])
except KeyboardInterrupt:
    sys.exit(130)
"""


WAITING_MERGE = """
import sys, time
from akscli.azure import kubeconfig
class Clock:
    monotonic = staticmethod(time.monotonic)
    time = staticmethod(time.time)
    told = False
    @staticmethod
    def sleep(seconds):
        if not Clock.told:
            Clock.told = True
            print("waiting", flush=True)
        time.sleep(seconds)
kubeconfig.time = Clock
kubeconfig.LOCK_WAIT_SECONDS = 60
try:
    kubeconfig.merge_kubeconfig(open(sys.argv[2], "rb").read(), sys.argv[1])
except KeyboardInterrupt:
    sys.exit(130)
"""


class Sigterm(NamedTuple):
    script: str
    first_line: str  # what the child prints once it stands where the signal is sent
    someone_elses_lock: bool  # kubectl holds config.lock when akscli starts
    that_lock_goes_after_the_signal: bool
    written: bool
    lock_left: bool


@pytest.mark.parametrize(
    "case",
    [
        # SIGTERM's default would end akscli holding config.lock, and every later `kubectl config ...`
        # would fail on it until someone removed it by hand.
        pytest.param(
            Sigterm(PAUSED_MERGE, "locked\n", False, False, written=True, lock_left=False),
            id="holding-its-lock-finishes-the-write-and-removes-the-lock",
        ),
        # Stopped before akscli holds the lock there is no write to finish: it must not go on to
        # write the kubeconfig once kubectl lets go of its lock.
        pytest.param(
            Sigterm(WAITING_MERGE, "waiting\n", True, True, written=False, lock_left=False),
            id="waiting-for-a-lock-that-then-goes-stops-without-writing",
        ),
        # The wait is 60 s: answered before it ends, not after, and kubectl's lock is never removed.
        pytest.param(
            Sigterm(WAITING_MERGE, "waiting\n", True, False, written=False, lock_left=True),
            id="waiting-for-a-lock-that-stays-stops-the-wait-and-leaves-that-lock",
        ),
    ],
)
def test_a_sigterm_during_a_merge_exits_130_and_leaves_no_lock_of_its_own(tmp_path: Path, case: Sigterm) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    lock = tmp_path / "config.lock"
    if case.someone_elses_lock:
        lock.touch()  # kubectl is writing
    new = tmp_path / "new"
    new.write_bytes(aks_kubeconfig("aks1"))
    child = subprocess.Popen(
        [sys.executable, "-c", case.script, str(cfg), str(new)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == case.first_line
    assert lock.exists()  # akscli's inside the merge, kubectl's while akscli waits
    child.send_signal(signal.SIGTERM)
    if case.that_lock_goes_after_the_signal:
        lock.unlink()  # kubectl is done
    _, err = child.communicate("\n", timeout=50)
    assert child.returncode == 130, err
    if case.written:
        assert "akscli finishes a write under way and removes its locks" in err
        assert "aks1" in [c["name"] for c in load(cfg)["contexts"]]
    else:
        assert cfg.read_text() == EXISTING
    assert lock.exists() is case.lock_left


def test_no_mode_warning_on_windows_where_the_mode_bits_do_not_say_who_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows gives every writable file 0666 (ACLs decide); az skips the check there too.
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o666)
    assert kubeconfig.open_to_others(str(cfg)) is not None
    monkeypatch.setattr(kubeconfig, "WINDOWS", True)
    assert kubeconfig.open_to_others(str(cfg)) is None
