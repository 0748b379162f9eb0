"""Bare metal and GPU nodes: probe, doctor, prepare, inventory, NCCL tests, AKS on bare metal."""
