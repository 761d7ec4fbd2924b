"""Read a Dockerfile and a .dockerignore as Docker does, and replay a build stage without it.

No Docker engine runs here. The Dockerfile is parsed by BuildKit's own parser (the `dockerfile`
package); `.dockerignore` patterns follow Docker's rules (the last matching pattern wins, a
pattern also matches everything under a matching directory, `**` spans directories).
`replay_stage` runs a stage's COPY, ENV, WORKDIR and RUN instructions in a directory standing
for the image's root, so the stage's own commands are what the tests exercise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile

REPLAY_TIMEOUT_SECONDS = 600


@dataclass
class Stage:
    name: str | None
    base: str
    instructions: list[dockerfile.Command] = field(default_factory=list)

    def all(self, cmd: str) -> list[dockerfile.Command]:
        return [i for i in self.instructions if i.cmd == cmd]

    def last(self, cmd: str) -> dockerfile.Command:
        return self.all(cmd)[-1]

    def env(self, args: Mapping[str, str]) -> dict[str, str]:
        """The stage's ENV, `$VAR` and `${VAR}` expanded from earlier values and `args`."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for key, raw in pairs(instruction.value):
                values[key] = expand(unquote(raw), {**args, **values})
        return values

    def args(self) -> dict[str, str]:
        return dict(_arg_default(i.value[0]) for i in self.all("ARG"))


@dataclass
class ParsedDockerfile:
    global_args: dict[str, str]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)


def parse(path: Path) -> ParsedDockerfile:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in dockerfile.parse_file(str(path)):
        if instruction.cmd == "FROM":
            base = expand(instruction.value[0], global_args)
            name = instruction.value[2] if len(instruction.value) == 3 else None
            stages.append(Stage(name, base))
        elif stages:
            stages[-1].instructions.append(instruction)
        elif instruction.cmd == "ARG":
            key, value = _arg_default(instruction.value[0])
            global_args[key] = value
    return ParsedDockerfile(global_args, stages)


def pairs(values: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    return zip(values[::2], values[1::2], strict=True)


def flag(instruction: dockerfile.Command, name: str) -> str | None:
    prefix = f"--{name}="
    return next((f.removeprefix(prefix) for f in instruction.flags if f.startswith(prefix)), None)


def unquote(value: str) -> str:
    quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'"
    return value[1:-1] if quoted else value


def expand(value: str, variables: Mapping[str, str]) -> str:
    return re.sub(
        r"\$\{(\w+)\}|\$(\w+)",
        lambda m: variables.get(m.group(1) or m.group(2), ""),
        value,
    )


def _arg_default(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, unquote(value)


# --- .dockerignore ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str
    exclude: bool
    regex: re.Pattern[str]


def read_ignore_rules(path: Path) -> list[IgnoreRule]:
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        exclude = not text.startswith("!")
        pattern = os.path.normpath(text.removeprefix("!").strip().lstrip("/"))
        rules.append(IgnoreRule(pattern, exclude, re.compile(_pattern_regex(pattern))))
    return rules


def _pattern_regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return f"^{out}$"


def is_ignored(relative: str, rules: list[IgnoreRule]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for rule in rules:
        if any(rule.regex.match(candidate) for candidate in candidates):
            ignored = rule.exclude
    return ignored


def build_context(source: Path, rules: list[IgnoreRule], target: Path) -> list[str]:
    """Copy what the daemon would receive from `source` into `target`; return its files."""
    sent: list[str] = []
    for directory, subdirs, files in os.walk(source):
        base = Path(directory).relative_to(source).as_posix()
        prefix = "" if base == "." else f"{base}/"
        # Skip a directory that is ignored unless a later `!` pattern reaches inside it.
        subdirs[:] = [d for d in subdirs if not _prunable(prefix + d, rules)]
        for name in files:
            relative = prefix + name
            if not is_ignored(relative, rules):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / relative, target / relative)
                sent.append(relative)
    return sorted(sent)


def _prunable(relative: str, rules: list[IgnoreRule]) -> bool:
    reopened = any(not r.exclude and r.pattern.startswith(f"{relative}/") for r in rules)
    return is_ignored(relative, rules) and not reopened


# --- replay ----------------------------------------------------------------------------------


def rooted(path: str, root: Path, workdir: Path) -> Path:
    """A container path under `root`, the directory standing for the image's file system."""
    return root / path.lstrip("/") if path.startswith("/") else workdir / path


def replay_stage(stage: Stage, context: Path, root: Path, base_env: Mapping[str, str]) -> None:
    """Run `stage`'s ENV, WORKDIR, COPY (from the context) and RUN instructions under `root`.

    Absolute paths in ENV values are moved under `root` too. COPY --from (another image) and
    RUN --mount flags (build caches) are skipped: the host's uv and uv cache stand in for them.
    """
    env, workdir = dict(base_env), root
    for instruction in stage.instructions:
        if instruction.cmd == "ENV":
            for key, raw in pairs(instruction.value):
                value = expand(unquote(raw), env)
                env[key] = str(rooted(value, root, workdir)) if value.startswith("/") else value
        elif instruction.cmd == "WORKDIR":
            workdir = rooted(instruction.value[0], root, workdir)
            workdir.mkdir(parents=True, exist_ok=True)
        elif instruction.cmd == "COPY" and flag(instruction, "from") is None:
            _copy(instruction.value, context, rooted(instruction.value[-1], root, workdir))
        elif instruction.cmd == "RUN":
            subprocess.run(
                ["sh", "-c", instruction.value[0]],
                cwd=workdir,
                env=env,
                check=True,
                capture_output=True,
                timeout=REPLAY_TIMEOUT_SECONDS,
            )


def _copy(value: tuple[str, ...], context: Path, destination: Path) -> None:
    *sources, target = value
    into_directory = target.endswith("/") or len(sources) > 1
    for source in sources:
        origin = context / source
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        elif into_directory:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination / origin.name)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
