"""The README's Pets section, run for real: its commands against a `petsage serve`, each answer
it shows checked against the real one, so that the section stays true.

A `# ...` line after a command is its answer, cut at `...` (a line indented by one more space
continues the one before): each piece between the cuts must appear in the real output, in
order, with any date or time of day standing for any other (the walks are logged relative to
today). `uv run petsage serve &` is the test's own server.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import child_env, petsage_server

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```bash\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SERVE = "uv run petsage serve &"
DEFAULT_URL = "http://127.0.0.1:8000"
CUT = "..."


@dataclass
class Step:
    command: str
    answer: list[str]


def section() -> str:
    text = README.read_text(encoding="utf-8").split("\n## Pets\n", 1)[1]
    return text.split("\n## ", 1)[0]


def steps() -> list[Step]:
    """Each command of the section's bash blocks, with the answer lines that follow it."""
    found: list[Step] = []
    for block in BLOCK.findall(section()):
        command: list[str] = []
        for line in block.splitlines():
            if line.startswith("# "):
                found[-1].answer.append(line[2:])
                continue
            if line == SERVE:
                continue
            command.append(line)
            if not line.endswith("\\") and _complete("\n".join(command)):
                found.append(Step("\n".join(command), []))
                command = []
        assert not command, f"an unfinished command in the Pets section: {command}"
    return found


def _complete(script: str) -> bool:
    """Whether `script` is a whole command: its quotes closed, its `for` loop done."""
    try:
        shlex.split(script, comments=False)
    except ValueError:
        return False
    return script.count("for ") == script.count("done")


def joined(lines: list[str]) -> str:
    """An answer's lines; one indented by a space continues the line before (a long answer
    is wrapped for the README, the real one is on one line)."""
    text = ""
    for line in lines:
        text += line.lstrip() if line.startswith(" ") else ("\n" if text else "") + line
    return text


def pattern(answer: str) -> re.Pattern[str]:
    """The answer's pieces in order, dates and times standing for any."""
    pieces = [piece.strip().strip(",") for piece in answer.split(CUT)]
    escaped = [_varying(re.escape(piece)) for piece in pieces if piece]
    return re.compile(".*?".join(escaped), re.DOTALL)


def _varying(escaped: str) -> str:
    escaped = re.sub(r"\d{4}\\-\d{2}\\-\d{2}", r"\\d{4}-\\d{2}-\\d{2}", escaped)
    return re.sub(r"\d{2}:\d{2}:\d{2}(\\\.\d+)?", r"\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?", escaped)


def run_section(base_url: str, data_dir: Path, tmp_path: Path) -> list[str]:
    """Every command in one shell (they share TOKEN and API); each step's output apart."""
    petsage = f"{shlex.quote(sys.executable)} -m petsage"
    script = ["exec 2>&1"]
    for number, step in enumerate(steps()):
        command = step.command.replace("uv run petsage", petsage)
        script += [f"echo @@{number}", command.replace(DEFAULT_URL, base_url)]
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        env=child_env({"PETSAGE_DATA_DIR": str(data_dir)}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outputs = re.split(r"^@@\d+\n", result.stdout, flags=re.MULTILINE)
    assert outputs[0] == "", result.stdout
    return outputs[1:]


def test_the_pets_section_runs_as_written(tmp_path: Path) -> None:
    with petsage_server(tmp_path) as server:
        outputs = run_section(server.base_url, tmp_path / "var", tmp_path)

    shown = [(step, output) for step, output in zip(steps(), outputs, strict=True) if step.answer]
    assert len(shown) == 6
    for step, output in shown:
        answer = joined(step.answer)
        assert pattern(answer).search(output), f"{step.command}\nshows:\n{answer}\ngot:\n{output}"
