"""A node pool's flags checked before anything is sent: the VM size (given, or picked for --gpu), the
count and the autoscaler's --min/--max, spot and its price, the managed GPU stack, MIG, taints, and
what 'nodepool scale' is asked. Errors name each flag as it was typed, akscli's or az's. Offline:
no SDK is imported.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from akscli import validate
from akscli.azure import names
from akscli.errors import UsageError
from akscli.globals import typed

if TYPE_CHECKING:
    from akscli.model.skus import GpuSku


MIG_PROFILES = ("MIG1g", "MIG2g", "MIG3g", "MIG4g", "MIG7g")
MIG_FAMILIES = ("a100", "h100", "h200")
GPU_SHORTCUTS = ("t4", "a10", "a100", "h100", "h200")
MAX_COUNT = 1000


# akscli's name of each count flag, then az's (grammar.AZ_ALIASES): errors name the one typed.
def _count() -> str:
    return typed("--count", "--node-count")


def _min() -> str:
    return typed("--min", "--min-count")


def _max() -> str:
    return typed("--max", "--max-count")


def _vm_size() -> str:
    return typed("--vm-size", "--node-vm-size")


def vm_size_for(vm_size: str | None, gpu: str | None, gpus_per_node: int | None) -> tuple[str, GpuSku | None]:
    """The VM size (given, or picked for ``--gpu``) and its GPU facts (None: no GPU)."""
    from akscli.model import skus

    flag = _vm_size()
    if vm_size and gpu:
        raise UsageError(
            f"give {flag} or --gpu, not both", hint="--gpu a100 --gpus-per-node 1 picks the VM size for you"
        )
    if not vm_size and not gpu:
        raise UsageError(
            f"a node pool needs {flag} or --gpu",
            hint=f"e.g. --gpu h100 --gpus-per-node 8, or {flag} Standard_D8ds_v5",
        )
    if gpus_per_node is not None and not gpu:
        raise UsageError("--gpus-per-node goes with --gpu", hint="e.g. --gpu a100 --gpus-per-node 2")
    if gpu:
        family = validate.choice(gpu, GPU_SHORTCUTS, "--gpu")
        n = validate.integer(gpus_per_node if gpus_per_node is not None else 1, "--gpus-per-node", 1, 16)
        sizes = {s.gpus: s for s in skus.all_skus() if s.gpu_family == family}
        if n not in sizes:
            # Only the shortcuts --gpu accepts, never the families it refuses (m60, mi25, v620).
            have = sorted({f"{s.gpu_family} x{s.gpus}" for s in skus.all_skus() if s.gpu_family in GPU_SHORTCUTS})
            raise UsageError(
                f"no Azure GPU VM size has {n} x {family}",
                hint=f"--gpu with --gpus-per-node takes: {', '.join(have)}; or give {flag}",
            )
        found = skus.find(family, n)
        return found.vm_size, found
    size = names.vm_size(str(vm_size), flag)
    return size, skus.get(size)


def _autoscale_range(min_count: int | None, max_count: int | None) -> tuple[int, int] | None:
    """``--min``/``--max`` checked as a pair (None when neither is given)."""
    if min_count is None and max_count is None:
        return None
    lo_flag, hi_flag = _min(), _max()
    if min_count is None or max_count is None:
        # The flag not given is named as its partner was typed: az's pair or akscli's.
        if min_count is None:
            lo_flag = "--min-count" if hi_flag == "--max-count" else "--min"
        else:
            hi_flag = "--max-count" if lo_flag == "--min-count" else "--max"
        raise UsageError(f"the autoscaler needs both {lo_flag} and {hi_flag}", hint=f"e.g. {lo_flag} 0 {hi_flag} 4")
    lo = validate.integer(min_count, lo_flag, 0, MAX_COUNT)
    hi = validate.integer(max_count, hi_flag, 1, MAX_COUNT)
    if lo > hi:
        raise UsageError(f"{lo_flag} {lo} is larger than {hi_flag} {hi}", hint=f"e.g. {lo_flag} 0 {hi_flag} 4")
    return lo, hi


def check_enable_autoscaler(enable: bool, min_count: int | None, max_count: int | None) -> None:
    """az's --enable-cluster-autoscaler: akscli turns the autoscaler on whenever --min and --max are
    given, so the flag only asks for them, as az does (upstream: Azure/azure-cli dev
    src/azure-cli/azure/cli/command_modules/acs/agentpool_decorator.py, AKSAgentPoolContext
    __validate_counts_in_autoscaler: "Please specify both min-count and max-count when
    --enable-cluster-autoscaler enabled"). az also refuses --min-count/--max-count without the
    flag; akscli does not: they alone mean the autoscaler."""
    if enable and (min_count is None or max_count is None):
        raise UsageError(
            "--enable-cluster-autoscaler needs both --min and --max (az's --min-count and --max-count)",
            hint="e.g. --enable-cluster-autoscaler --min-count 0 --max-count 4",
        )


def _node_counts(
    count: int | None, min_count: int | None, max_count: int | None, *, system: bool
) -> tuple[int, int | None, int | None]:
    """(initial count, autoscaler min, autoscaler max) of a new pool."""
    bounds = _autoscale_range(min_count, max_count)
    lo, hi = bounds if bounds else (None, None)
    if bounds and count is not None:
        validate.integer(count, _count(), bounds[0], bounds[1])
    if system and lo is not None and lo < 1:
        raise UsageError("a System pool needs at least one node", hint=f"use {_min()} 1")
    cnt = validate.integer(count if count is not None else (lo if lo is not None else 1), _count(), 0, MAX_COUNT)
    if system and cnt < 1:
        raise UsageError("a System pool needs at least one node", hint=f"use {_count()} 1 or more")
    return cnt, lo, hi


def _check_spot(spot: bool, max_price: float | None, *, system: bool) -> None:
    if system and spot:
        raise UsageError("a System pool cannot be spot", hint="drop --spot or use --mode User")
    if max_price is None:
        return
    if not spot:
        raise UsageError("--spot-max-price goes with --spot", hint="add --spot")
    # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/spot-node-pool.md, Limitations: "the value
    # must be -1 or a positive value with up to five decimal places"; no upper bound there nor in az
    # (upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_validators.py
    # validate_spot_max_price: "any decimal value greater than zero, or -1"). Infinity is no price.
    if max_price != -1 and (not 0 < max_price < math.inf or round(max_price, 5) != max_price):
        raise UsageError(
            f"invalid --spot-max-price {max_price}",
            hint="a price in USD per hour with up to five decimal places (e.g. 0.98765), or -1 for up to the "
            "on-demand price",
        )


def check_managed_gpu(sku: GpuSku | None, size: str, driver: str | None, *, autoscaled: bool) -> None:
    """What AKS's fully managed GPU stack takes (az aks nodepool add --enable-managed-gpu; upstream:
    MicrosoftDocs/azure-aks-docs fb060abe articles/aks/aks-managed-gpu-nodes.md, Limitations and
    "Defaults and overrides"): NVIDIA GPU sizes only; the driver always installed ("--gpu-driver None
    is ignored when --enable-managed-gpu=true": refused here rather than dropped); no cluster
    autoscaler ("Cluster autoscaler isn't supported on managed GPU node pools during preview")."""
    if sku is None or sku.gpu_model.upper().startswith("AMD"):  # the vendor as gpu/devices.py reads it
        what = "has no GPU" if sku is None else f"has {sku.gpu_model} GPUs, not NVIDIA ones"
        raise UsageError(
            f"--enable-managed-gpu applies to NVIDIA GPU VM sizes; {size} {what}",
            hint="drop --enable-managed-gpu or pick an NVIDIA GPU size (e.g. --gpu t4)",
        )
    if driver == "none":
        raise UsageError(
            "--enable-managed-gpu installs the NVIDIA driver; --gpu-driver none asks for none",
            hint="drop --gpu-driver none, or drop --enable-managed-gpu to bring your own driver and GPU Operator",
        )
    if autoscaled:
        raise UsageError(
            f"AKS does not autoscale managed GPU pools ({_min()}/{_max()} with --enable-managed-gpu)",
            hint=f"give a fixed size with {_count()} N and change it with 'akscli nodepool scale'",
        )


def _mig_profile(profile: str, sku: GpuSku | None, size: str) -> str:
    mig = validate.choice(profile, MIG_PROFILES, "--gpu-instance-profile")
    if sku is None or sku.gpu_family not in MIG_FAMILIES:
        raise UsageError(
            f"MIG (--gpu-instance-profile) needs an A100, H100 or H200 size; {size} is not one",
            hint="e.g. --gpu a100 --gpus-per-node 1 --gpu-instance-profile MIG1g",
        )
    return mig


def _taint(value: str) -> str:
    parsed = validate.taint(value)
    key, val, effect = parsed.get("key", ""), parsed.get("value"), parsed.get("effect", "")
    return f"{key}={val}:{effect}" if val else f"{key}:{effect}"


def check_scale_flags(
    *, count: int | None, min_count: int | None, max_count: int | None, disable_autoscaler: bool
) -> None:
    """What ``nodepool scale`` can check before asking Azure (raises UsageError)."""
    autoscale = _autoscale_range(min_count, max_count) is not None
    lo, hi, cnt, off = _min(), _max(), _count(), typed("--disable-autoscaler", "--disable-cluster-autoscaler")
    if autoscale and (count is not None or disable_autoscaler):
        raise UsageError(
            f"{lo}/{hi} set the autoscaler range; {cnt} and {off} fix the size",
            hint=f"give {lo} and {hi}, or {cnt} (with {off} on an autoscaled pool)",
        )
    if not autoscale and count is None:
        raise UsageError("nothing to change", hint=f"pass {cnt} N, or {lo} and {hi}")
    if count is not None:
        validate.integer(count, cnt, 0, MAX_COUNT)
