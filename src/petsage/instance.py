"""Which PetSage process this is: `<hostname>:<pid>`, as logs, metrics and events name it."""

from __future__ import annotations

import os
import socket


def instance_id() -> str:
    """This process's id. Computed on each call: worker processes fork with a new pid."""
    return f"{socket.gethostname()}:{os.getpid()}"
