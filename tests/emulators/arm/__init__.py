"""ARM + Entra emulator for tests: ``from tests.emulators.arm import ArmEmulator``."""

from tests.emulators.arm.server import (
    AKS_SERVER_APP,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_SUBSCRIPTION,
    DEFAULT_TENANT,
    ArmEmulator,
    ArmError,
)

__all__ = [
    "AKS_SERVER_APP",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_SUBSCRIPTION",
    "DEFAULT_TENANT",
    "ArmEmulator",
    "ArmError",
]
