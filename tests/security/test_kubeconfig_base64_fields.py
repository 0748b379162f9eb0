"""A kubeconfig whose certificate-authority-data, client-certificate-data or client-key-data is not
base64 is refused in one line naming the file, the entry and the field, never the value, exit 2 as
any kubeconfig akscli cannot read. kubectl refuses the whole file too ("error loading config file
\\"PATH\\": illegal base64 data at input byte N"; kubernetes/client-go tools/clientcmd/loader.go
LoadFromFile, tools/clientcmd/api/v1/types.go: the fields are []byte). akscli said "unexpected error:
Error: Incorrect padding", exit 1 (the official client's FileOrData._write_file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import errors
from akscli.kube.config_files import check_data_fields
from tests.cli import invoke

CANARY = "CanaryKeyData-7f3e"  # 18 characters of the base64 alphabet but '-': not base64
GOOD = "TFMwdExTMUNSVWRKVGc9PQ=="


def _kubeconfig(tmp_path: Path, *, ca: str = GOOD, cert: str = GOOD, key: str = GOOD, other_key: str = GOOD) -> Path:
    path = tmp_path / "config"
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster:
    server: https://127.0.0.1:1
    certificate-authority-data: {ca}
contexts:
- name: aks
  context: {{cluster: aks, user: admin}}
current-context: aks
users:
- name: admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
- name: spare
  user:
    client-key-data: {other_key}
"""
    )
    return path


CASES = {
    "client-key-data": ({"key": CANARY}, "user 'admin': client-key-data is not base64"),
    "client-certificate-data": ({"cert": CANARY}, "user 'admin': client-certificate-data is not base64"),
    "certificate-authority-data": ({"ca": CANARY}, "cluster 'aks': certificate-authority-data is not base64"),
    "unpadded": ({"key": "YWJj" + "ZA"}, "user 'admin': client-key-data is not base64"),
}


@pytest.mark.parametrize(("fields", "said"), CASES.values(), ids=CASES.keys())
def test_a_field_that_is_not_base64_is_one_line_naming_file_entry_and_field(
    tmp_path: Path, fields: dict[str, str], said: str
) -> None:
    path = _kubeconfig(tmp_path, **fields)
    result = invoke("ray", "job", "list", "--kubeconfig", str(path))
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == f"error: --kubeconfig: cannot read kubeconfig {path}: {said}"
    assert result.stderr.splitlines()[1].startswith("hint: ")
    assert CANARY not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_an_entry_no_context_uses_is_checked_too_as_kubectl_loads_every_one(tmp_path: Path) -> None:
    result = invoke("ray", "job", "list", "--kubeconfig", str(_kubeconfig(tmp_path, other_key=CANARY)))
    assert result.exit_code == 2, result
    assert "user 'spare': client-key-data is not base64" in result.stderr


def test_base64_broken_over_lines_is_base64_as_go_reads_it() -> None:
    config = {"users": [{"name": "u", "user": {"client-key-data": "TFMwdExT\nMUNSVWRK\r\nVGc9PQ=="}}]}
    check_data_fields({"config": config})


def test_a_value_that_is_no_string_is_not_base64() -> None:
    config = {"clusters": [{"name": "c", "cluster": {"certificate-authority-data": 12}}]}
    with pytest.raises(errors.UsageError, match="cluster 'c': certificate-authority-data is not base64"):
        check_data_fields({"config": config})
