"""Features installed the way a distribution installs them, without pip: a module and a
`.dist-info` folder with an `entry_points.txt`, in a folder put on PYTHONPATH.

`importlib.metadata` finds such a folder on `sys.path` exactly as it finds a real
distribution, so `petsage serve` run with that PYTHONPATH discovers the feature for real.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.server import child_env


def install_feature(site: Path, name: str, source: str) -> Path:
    """Write module `name` (from `source`) and a distribution registering its `feature`."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist_info = site / f"{name}-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[petsage.features]\n{name} = {name}:feature\n", encoding="utf-8"
    )
    return site


def env_with_site(site: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A child environment whose Python also imports from `site`."""
    paths = [str(site), os.environ.get("PYTHONPATH", "")]
    return child_env({"PYTHONPATH": os.pathsep.join(p for p in paths if p), **(extra or {})})


@contextmanager
def site_on_path(site: Path) -> Iterator[None]:
    """`site` on this process's `sys.path`, and its modules forgotten afterwards."""
    sys.path.insert(0, str(site))
    before = set(sys.modules)
    try:
        yield
    finally:
        sys.path.remove(str(site))
        for module in set(sys.modules) - before:
            if not module.startswith(("petsage.", "tests.")):
                del sys.modules[module]
