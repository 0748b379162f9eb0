"""`akscli doctor`: is the cluster ready for akscli's command groups (see docs/architecture.md)."""
