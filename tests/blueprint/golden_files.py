"""The golden files: what the issue's request (golden/pet_profile.yaml) renders to, byte for byte.

Rendered in process at a fixed revision (0042 after 0041), so they change only when the
templates do. After an intended template change, write them anew and read the diff:

    uv run python -m tests.blueprint.golden_files
"""

from __future__ import annotations

from pathlib import Path

from petsage.blueprint.generator import feature_spec, load_request, render_feature
from petsage.blueprint.generator.migrations import Revision

GOLDEN = Path(__file__).parent / "golden"
REQUEST = GOLDEN / "pet_profile.yaml"
EXPECTED = GOLDEN / "pet_profile"
# Not .py: neither pytest nor the linters may take the expected files for the project's own.
SUFFIX = ".golden"
REVISION = Revision(id="0042", down_revision="0041")


def render_request(request_file: Path, *, features: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every file the request renders (relative path -> text), the migration under versions/."""
    request = load_request(request_file)
    spec = feature_spec(request, features=features | {request.feature}, tables={})
    rendered = render_feature(spec, revision=REVISION)
    files = {str(generated.path): generated.content for generated in rendered.feature_files}
    if rendered.migration is not None:
        files[f"versions/{rendered.migration.path}"] = rendered.migration.content
    return files


def expected_files() -> dict[str, str]:
    return {
        str(path.relative_to(EXPECTED)).removesuffix(SUFFIX): path.read_text(encoding="utf-8")
        for path in sorted(EXPECTED.rglob(f"*{SUFFIX}"))
    }


def write_golden_files() -> None:
    for name, content in render_request(REQUEST).items():
        target = EXPECTED / f"{name}{SUFFIX}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


if __name__ == "__main__":
    write_golden_files()
