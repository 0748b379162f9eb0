"""What the GPU nodes say about who set them up, counted node by node from a full scan or a sample,
for the rules of akscli.gpu_stack (moved out of gpu_stack.py, which neared 600 lines). Plain logic:
no Typer, no rich."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HELD_SHOWN = 3  # nodes named where GPU Operator labels keep operands off them


@dataclass
class GpuNodes:
    """What the GPU nodes say about who set them up (from a full scan or a sample)."""

    nodes: int = 0
    advertising: int = 0  # nodes whose device plugin advertises GPUs
    dra: bool = False  # none does, and a DRA driver publishes GPUs in ResourceSlices instead
    aks: int = 0  # nodes AKS labels as GPU nodes (kubernetes.azure.com/accelerator)
    vendors: set[str] = field(default_factory=set)
    # GPU nodes that advertise no GPU because a GPU Operator label keeps an operand off them
    # (gpus.operand_hold): how many, and the first few by name with the label.
    held: int = 0
    held_names: list[tuple[str, str]] = field(default_factory=list)  # (node, label=value)

    def add(self, node: dict[str, Any]) -> None:
        from akscli import gpus

        facts = gpus.read(node)
        if not facts.is_gpu_node:
            return
        self.nodes += 1
        self.vendors.add(facts.vendor)
        self.advertising += 1 if facts.allocatable or facts.capacity else 0
        self.aks += 1 if gpus.AKS_ACCELERATOR in gpus.labels_of(node) else 0
        hold = gpus.operand_hold(node) if not facts.allocatable else ""
        if hold:
            self.held += 1
            if len(self.held_names) < HELD_SHOWN:
                self.held_names.append((str((node.get("metadata") or {}).get("name")), hold))
