"""The policy guardrails every apply runs and `policy check -f` (see docs/architecture.md)."""
