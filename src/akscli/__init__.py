"""akscli: a terminal-first platform CLI for AI workloads on Azure Kubernetes Service."""

__version__ = "0.1.0"
