"""An emulator of the Kubernetes API for akscli's tests: real HTTP(S) on 127.0.0.1 that
the official kubernetes Python client and kubectl talk to unchanged. See docs/emulator.md."""

from tests.emulators.kube.emulator import KubeEmulator

__all__ = ["KubeEmulator"]
