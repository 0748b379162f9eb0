"""Node auto-provisioning: Karpenter NodePools and AKSNodeClasses on AKS (see docs/architecture.md)."""
