"""The emulators under tests/emulators may not borrow akscli's reading of upstream: if akscli reads an
operator or Azure wrongly, an emulator that imports that reading agrees with it and the tests pass
on the mistake. Every akscli import there needs an entry below with its reason: data about Azure
(facts akscli also ships), test plumbing, akscli's own program, or a reading held to an oracle
outside akscli. A reading with no oracle may not be borrowed: the emulator ports it from upstream.
"""

from __future__ import annotations

import ast
from pathlib import Path

EMULATORS = Path(__file__).resolve().parents[1] / "emulators"

DATA_SKUS = (
    "data: Azure's GPU SKU catalogue (vCPUs, GiB, GPUs, prices) from ../shared/data/azure-gpu-skus.csv, "
    "facts about Azure, no reading of an operator's code"
)
DATA_INTERCONNECT = (
    "data: the NVLink and InfiniBand each Azure size has (src/akscli/data/interconnect.yaml, citing "
    "Azure's size pages), facts about Azure, no reading of an operator's code"
)
YAML = "plumbing: akscli's YAML loader and dumper, which emulates nothing"
ALLOWED: dict[tuple[str, str], str] = {
    ("arm/fixtures.py", "akscli.azure.identity"): (
        "plumbing: clears akscli's per-process credential cache between tests; emulates nothing"
    ),
    ("autoscaler.py", "akscli.model.skus"): DATA_SKUS,
    ("kube/controllers/gpu_pods.py", "akscli.baremetal.probe"): (
        "akscli's own program: the GPU probe akscli runs on a node, replaying a recorded machine"
    ),
    ("kube/controllers/gpu_pods.py", "akscli.baremetal.nccl_expected"): DATA_INTERCONNECT,
    ("kube/controllers/sriov_device_plugin.py", "akscli.baremetal.nccl_expected"): DATA_INTERCONNECT,
    ("kube/controllers/kaito_gpu_provisioner.py", "akscli.model.catalog"): (
        "data: the model catalogue's weights size, standing for KAITO's preset DiskStorageRequirement"
    ),
    ("kube/controllers/kaito_nodes.py", "akscli.model.skus"): DATA_SKUS,
    ("kube/controllers/karpenter.py", "akscli.model.skus"): DATA_SKUS,
    ("kube/controllers/karpenter_common.py", "akscli.model.skus"): DATA_SKUS,
    ("kube/controllers/karpenter_sizes.py", "akscli.model.skus"): DATA_SKUS,
    ("kube/controllers/kuberay/service.py", "akscli.yamlio"): YAML,
    ("kube/controllers/nvidia_gfd.py", "akscli.yamlio"): YAML,
    ("kube/selectors.py", "akscli.kube.selectors"): (
        "a reading held to an oracle outside akscli: labels.Parse, checked against the real kubectl's Go "
        "parser (tests/kube_emulator/test_kubectl_parser_oracle.py) and upstream's selector_test.go "
        "tables (tests/foundation/test_selector_grammar.py)"
    ),
}


def akscli_imports() -> set[tuple[str, str]]:
    """(file under tests/emulators, what it imports: a module, or module.name for a from-import)."""
    found: set[tuple[str, str]] = set()
    for path in sorted(EMULATORS.rglob("*.py")):
        rel = path.relative_to(EMULATORS).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(rel, a.name) for a in node.names if a.name.split(".")[0] == "akscli"}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "akscli":
                found |= {(rel, f"{node.module}.{a.name}") for a in node.names}
    return found


def test_every_akscli_import_in_the_emulators_has_an_allow_list_entry() -> None:
    unlisted = sorted(akscli_imports() - set(ALLOWED))
    assert not unlisted, (
        "an emulator imports akscli without a reason: port the upstream behaviour into the emulator, or "
        f"add an ALLOWED entry saying why it is no shared reading: {unlisted}"
    )


def test_no_allow_list_entry_outlives_its_import() -> None:
    assert not sorted(set(ALLOWED) - akscli_imports())


def test_no_emulator_borrows_akscli_reading_of_karpenter() -> None:
    # shared36: the Karpenter simulator has its own ports (karpenter_hash, karpenter_requirement,
    # karpenter_sizes); tests/foundation/test_emulator_cross_check.py holds them to akscli's
    assert not [key for key in akscli_imports() if key[1].startswith("akscli.nap")]


def test_no_emulator_borrows_akscli_reading_of_kaitos_estimator() -> None:
    # estimator37: the KAITO simulator counts nodes with its own port (tests/emulators/kube/
    # kaito_estimator.py, from kaito-project/kaito's estimator, SKU table and catalog);
    # tests/model/test_kaito_agreement.py holds akscli's plan to it
    borrowed = ("akscli.model.kaito_estimator", "akscli.model.planning", "akscli.model.kaito_names")
    assert not [key for key in akscli_imports() if key[1].startswith(borrowed)]
