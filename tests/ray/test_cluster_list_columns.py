"""``ray cluster list`` has the columns ``kubectl get raycluster`` and ``kubectl ray get cluster``
print (ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/raycluster_types.go printcolumns;
kubectl-plugin/pkg/cmd/get/get_cluster.go printClusters): CPUS and MEMORY beside GPUS, the head's
IPs with -o wide; and what made each cluster, in one-word cells: OWNER (``rayservice/NAME``) and
ROLE (``active``), so that ``awk`` and ``sort -k`` find every column where its header is. Not
TPUS: KubeRay counts only google.com/tpu, which no AKS node has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import _serve_file


def table(*args: str) -> dict[str, dict[str, str]]:
    """The rows of a list, by name, each cell under its header; fails where a cell holds a space."""
    lines = invoke("ray", "cluster", "list", *args).stdout.splitlines()
    header = [h.replace(" ", "_") for h in _headers(lines[0])]
    return {cells[0]: dict(zip(header, cells, strict=True)) for cells in (line.split() for line in lines[1:])}


def _headers(line: str) -> list[str]:
    # Headers of several words (HEAD POD IP) are read as the table printer wrote them: 2+ spaces apart.
    import re

    return [h for h in re.split(r"\s{2,}", line.strip()) if h]


def test_owner_and_role_are_cells_of_one_word_each(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "own", "--wait", "--timeout", "20s").exit_code == 0
    serve = _serve_file(tmp_path)
    deployed = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "-y", "--wait", "--timeout", "20s")
    assert deployed.exit_code == 0, deployed
    rows = table()
    served = next(row for name, row in rows.items() if name.startswith("llm-"))
    assert (served["OWNER"], served["ROLE"]) == ("rayservice/llm", "active")
    assert (rows["own"]["OWNER"], rows["own"]["ROLE"]) == ("-", "-")


def test_the_list_shows_cpus_and_memory_as_kuberay_reports_them(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    row = table()["demo"]
    # The head (2 CPUs, 8Gi) and one worker (1 CPU, 4Gi): KubeRay's desiredCPU and desiredMemory.
    assert (row["CPUS"], row["MEMORY"], row["GPUS"]) == ("3", "12Gi", "0")
    assert "TPUS" not in row


def test_wide_adds_the_head_ips_kubectl_get_raycluster_o_wide_shows(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "demo", "--wait", "--timeout", "20s").exit_code == 0
    head = emu.cluster.get("ray.io/v1", "RayCluster", "default", "demo")["status"]["head"]
    row = table("-o", "wide")["demo"]
    assert (row["HEAD_POD_IP"], row["HEAD_SERVICE_IP"]) == (head["podIP"], head["serviceIP"])


def test_cpus_print_as_a_quantity_does_in_the_heads_format(ray_emulator: Callable[..., Any]) -> None:
    # KubeRay sums the pods' quantities onto the head's (utils/util.go SumResourceList; Quantity.Add
    # keeps the receiver's format) and the API prints Quantity.String(): 500m + 1 is "1500m".
    ray_emulator()
    created = invoke("ray", "cluster", "create", "demo", "--head-cpu", "500m", "--wait", "--timeout", "20s")
    assert created.exit_code == 0, created
    assert table()["demo"]["CPUS"] == "1500m"
