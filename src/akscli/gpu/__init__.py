"""The `gpu` operations and the GPU driver stack both doctors judge (see docs/architecture.md)."""
