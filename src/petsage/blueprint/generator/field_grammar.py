"""`--field` on the command line: a request file's field in one word.

    NAME:TYPE[(ARGS)][?][:OPTION]...

- `?` after the type: optional (nullable, may be left out).
- ARGS: `str(100)` or `text(2000)` max length, `decimal(5,2)` digits and places,
  `enum(dog,cat)` the values, `ref(pet_profile)` or `ref(pet_profile,cascade)` the feature and
  what deleting its row does.
- OPTION: a bare number after `str` or `text` is its max length (`name:str:100`); `MIN..MAX`
  bounds an int, decimal or float (either side may be left out: `0.01..500`, `1..`); `unique`,
  `index`, `filter`, `sort`, `optional`, `not_future` switch an option on; `default=V`,
  `example=V` (V read as YAML: `false`, `12.5`, `Rex`), `future_slack_seconds=N` and
  `description=TEXT`; `pattern=REGEX` comes last and takes the rest, colons and all.

Examples: `name:str:100`, `'species:enum(dog,cat):filter'`, `'birth_date:date?:filter:sort'`,
`'born:partial_date?:not_future:sort'`, `started_at:datetime:not_future:future_slack_seconds=300`,
`'weight_kg:decimal(5,2)?:0.01..500:sort'`, `neutered:bool:default=false`,
`'owner_id:ref(pet_profile,cascade)'`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from petsage.blueprint.generator.names import GeneratorError

FIELD = re.compile(r"(?P<name>[^:]+):(?P<type>[a-z_]+)(?:\((?P<args>[^)]*)\))?(?P<optional>\?)?")
FLAGS = frozenset({"unique", "index", "filter", "sort", "optional", "not_future"})
VALUED = frozenset({"default", "example", "description", "pattern", "future_slack_seconds"})
# Types whose length a bare number or a single argument gives: `str(100)`, `text:2000`.
LENGTHY = frozenset({"str", "text"})
RANGE = re.compile(r"(?P<min>[^.]*(?:\.\d+)?)\.\.(?P<max>.*)")


def parse_fields(specs: Iterable[str]) -> dict[str, Any]:
    """The `fields:` mapping of a request, from `--field` values; one line if one is bad."""
    fields: dict[str, Any] = {}
    for spec in specs:
        name, field = parse_field(spec)
        if name in fields:
            raise GeneratorError(f"--field {spec!r}: {name!r} is given twice")
        fields[name] = field
    return fields


def parse_field(spec: str) -> tuple[str, dict[str, Any]]:
    found = FIELD.match(spec)
    if found is None:
        raise GeneratorError(f"--field {spec!r}: expected NAME:TYPE[(ARGS)][?][:OPTION]...")
    kind = found["type"]
    field: dict[str, Any] = {"type": kind, **_arguments(spec, kind, found["args"])}
    if found["optional"]:
        field["optional"] = True
    rest = spec[found.end() :]
    if rest and not rest.startswith(":"):
        raise GeneratorError(f"--field {spec!r}: unexpected {rest!r} after the type")
    field |= _options(spec, kind, rest[1:])
    return found["name"], field


def _arguments(spec: str, kind: str, args: str | None) -> dict[str, Any]:
    if args is None:
        return {}
    parts = [part.strip() for part in args.split(",")]
    if kind == "enum":
        return {"values": parts}
    if kind in LENGTHY and len(parts) == 1:
        return {"max_length": _number(spec, parts[0])}
    if kind == "decimal" and len(parts) == 2:
        return {"digits": _number(spec, parts[0]), "places": _number(spec, parts[1])}
    if kind == "ref" and len(parts) in (1, 2):
        return {"feature": parts[0], **({"on_delete": parts[1]} if len(parts) == 2 else {})}
    raise GeneratorError(f"--field {spec!r}: {kind}({args}) takes no such arguments")


def _options(spec: str, kind: str, text: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    while text:
        option, _, rest = text.partition(":")
        key, equals, value = option.partition("=")
        if key == "pattern" and equals:
            options["pattern"] = text.removeprefix("pattern=")
            break
        text = rest
        if equals and key in VALUED:
            options[key] = value if key == "description" else yaml.safe_load(value)
        elif option in FLAGS:
            options[option] = True
        elif kind in LENGTHY and option.isdigit():
            options["max_length"] = int(option)
        elif (bounds := RANGE.fullmatch(option)) is not None:
            options |= {
                side: yaml.safe_load(bounds[side]) for side in ("min", "max") if bounds[side]
            }
        else:
            raise GeneratorError(f"--field {spec!r}: unknown option {option!r}")
    return options


def _number(spec: str, text: str) -> int:
    if not text.isdigit():
        raise GeneratorError(f"--field {spec!r}: {text!r} is not a whole number")
    return int(text)
