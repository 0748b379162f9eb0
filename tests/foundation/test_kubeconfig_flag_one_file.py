"""``--kubeconfig`` names one file, as in kubectl; only $KUBECONFIG is a list.

kubectl hands the flag's value to client-go as ``ExplicitPath``, read alone and required to exist
(upstream: kubernetes/cli-runtime pkg/genericclioptions/config_flags.go ``ToRawKubeConfigLoader``;
kubernetes/client-go tools/clientcmd/loader.go ``ClientConfigLoadingRules.Load``, commit
32ce75a7d6bc6960fd048d3d1e3b34185418d8c8). The Python client's ``KubeConfigMerger`` splits any
path it is given at ':', so akscli merges the files itself, one ``load_config`` each."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect


def _write(emulator: Any, path: Path, context: str) -> Path:
    path.write_text(json.dumps(emulator.kubeconfig_dict(context, "default", None)), encoding="utf-8")
    path.chmod(0o600)
    return path


def _kubectl(*args: str) -> subprocess.CompletedProcess[str] | None:
    if shutil.which("kubectl") is None:
        return None
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=60)


def test_a_kubeconfig_flag_whose_name_holds_a_colon_is_read_as_that_one_file(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    path = _write(kube_emulator, tmp_path / "team:prod", "prod")
    kube = connect(KubeTarget(kubeconfig=str(path)))
    assert kube.context_name == "prod"
    assert kube.get("v1", "Namespace", "default") is not None
    kubectl = _kubectl("--kubeconfig", str(path), "config", "current-context")
    assert kubectl is None or kubectl.stdout.strip() == "prod"


def test_a_kubeconfig_flag_is_not_split_into_the_files_its_name_could_list(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    _write(kube_emulator, tmp_path / "a", "a")
    _write(kube_emulator, tmp_path / "b", "b")
    both = f"{tmp_path / 'a'}:{tmp_path / 'b'}"
    with pytest.raises(UsageError) as refused:
        connect(KubeTarget(kubeconfig=both))
    assert refused.value.message == f"no kubeconfig found at {both}"
    kubectl = _kubectl("--kubeconfig", both, "config", "current-context")
    assert kubectl is None or kubectl.returncode != 0


def test_kubeconfig_with_a_colon_in_the_environment_is_still_a_list(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(kube_emulator, tmp_path / "a", "a")
    _write(kube_emulator, tmp_path / "b", "b")
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert connect(KubeTarget(context="b")).context_name == "b"


def test_a_relative_certificate_path_resolves_against_the_folder_of_a_kubeconfig_flag_with_a_colon(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    folder = tmp_path / "conf:dir"
    folder.mkdir()
    (folder / "ca.crt").write_bytes(kube_emulator.ca_pem)
    config = kube_emulator.kubeconfig_dict("rel", "default", None)
    cluster = config["clusters"][0]["cluster"]
    del cluster["certificate-authority-data"]
    cluster["certificate-authority"] = "ca.crt"
    (folder / "config").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    kube = connect(KubeTarget(kubeconfig=str(folder / "config")))
    assert kube.get("v1", "Namespace", "default") is not None


def test_a_missing_kubeconfig_flag_path_is_named_as_the_thing_to_check(tmp_path: Path) -> None:
    # Before, `--kubeconfig /wrong/path` was told "... or pass --kubeconfig", the flag it had passed.
    missing = tmp_path / "nope"
    with pytest.raises(UsageError) as refused:
        connect(KubeTarget(kubeconfig=str(missing)))
    assert refused.value.hint == (
        "check the --kubeconfig path, or write a kubeconfig there with "
        f"'akscli cluster credentials NAME -g GROUP --kubeconfig {missing}'"
    )
