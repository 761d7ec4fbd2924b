"""What a new feature is called, everywhere: its package, classes, tag, URL path and table.

A name is checked once, here; everything else is derived from it. Names are singular
(`pet_profile`); the collection's path and table take the plural (`/pet-profiles`,
`pet_profiles`). A resource's rows may be named by a noun of their own (`activity_tracker`
keeps `activity` rows): the package, tag and scopes follow the feature's name, the classes,
table, path and messages the noun.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import inflect

NAME_MAX = 40
# Paths and prefixes the platform answers (or will): a feature of that name would shadow them.
RESERVED_NAMES = frozenset({"system", "health", "docs", "metrics", "status", "api"})
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
PATH_MAX = 60
KEBAB_PATH = re.compile(r"(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+")
DESCRIPTION_MAX = 72
# Rendered inside double-quoted strings and docstrings: no quote, backslash or line break.
DESCRIPTION_FORBIDDEN = frozenset('"\\')


class GeneratorError(Exception):
    """Why a feature cannot be generated; the command prints it as one line and exits 2."""


@dataclass(frozen=True, slots=True)
class FeatureNames:
    """Every identifier a generated feature uses, derived from its snake_case name and the
    snake_case noun of its rows (`singular`, the name unless the request gives a noun)."""

    name: str
    path: str
    description: str
    singular: str

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.name.split("_"))

    @property
    def noun_words(self) -> tuple[str, ...]:
        return tuple(self.singular.split("_"))

    @property
    def class_name(self) -> str:
        """The rows' ORM class and the models' stem: `Activity`, `ActivityCreate`."""
        return "".join(word.capitalize() for word in self.noun_words)

    @property
    def tag(self) -> str:
        return " ".join(word.capitalize() for word in self.words)

    @property
    def noun(self) -> str:
        return " ".join(self.noun_words)

    @property
    def plural(self) -> str:
        return "_".join(plural_words(self.noun_words))

    @property
    def table(self) -> str:
        return table_of(self.singular)


def feature_names(
    name: str,
    *,
    noun: str | None = None,
    path: str | None = None,
    description: str | None = None,
) -> FeatureNames:
    check_name(name)
    singular = check_noun(noun) if noun is not None else name
    chosen_path = check_path(path) if path is not None else default_path(singular)
    return FeatureNames(
        name=name,
        path=chosen_path,
        description=(
            check_description(description) if description else default_description(singular)
        ),
        singular=singular,
    )


def check_name(name: str) -> None:
    """Raise `GeneratorError` unless `name` may name a new package under `petsage.features`."""
    if not SNAKE_CASE.fullmatch(name):
        raise GeneratorError(
            f"feature name {name!r} is not a snake_case identifier "
            "(lowercase letters, digits and single underscores, starting with a letter)"
        )
    if len(name) > NAME_MAX:
        raise GeneratorError(f"feature name {name!r} is longer than {NAME_MAX} characters")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise GeneratorError(f"feature name {name!r} is a Python keyword")
    if name in dir(builtins):
        raise GeneratorError(f"feature name {name!r} is a Python builtin")
    if name in sys.stdlib_module_names:
        raise GeneratorError(f"feature name {name!r} is a standard-library module")
    if name in RESERVED_NAMES:
        reserved = ", ".join(sorted(RESERVED_NAMES))
        raise GeneratorError(f"feature name {name!r} is reserved ({reserved})")


def check_noun(noun: str) -> str:
    """The rows' noun names classes and a table, not a package: snake_case is the rule."""
    if not SNAKE_CASE.fullmatch(noun) or len(noun) > NAME_MAX:
        raise GeneratorError(
            f"noun: {noun!r} is not a snake_case singular noun of at most {NAME_MAX} characters "
            "(lowercase letters, digits and single underscores, starting with a letter)"
        )
    return noun


def check_path(path: str) -> str:
    if len(path) > PATH_MAX or not KEBAB_PATH.fullmatch(path):
        raise GeneratorError(
            f"path {path!r} must start with '/' and be lowercase kebab-case segments "
            f"(like /pet-profiles), at most {PATH_MAX} characters"
        )
    return path


def check_description(description: str) -> str:
    text = description.strip()
    if not text.isprintable() or DESCRIPTION_FORBIDDEN & set(text) or len(text) > DESCRIPTION_MAX:
        raise GeneratorError(
            f"description must be one line of at most {DESCRIPTION_MAX} printable characters, "
            'without " or \\'
        )
    return text


def default_path(name: str) -> str:
    """The collection's path: the kebab-case plural (`pet_profile` -> `/pet-profiles`)."""
    return "/" + "-".join(plural_words(tuple(name.split("_"))))


def table_of(name: str) -> str:
    """The table of a resource feature: its plural, in snake_case (`pet_profiles`)."""
    return "_".join(plural_words(tuple(name.split("_"))))


def default_description(name: str) -> str:
    return f"{' '.join(plural_words(tuple(name.split('_')))).capitalize()}, served by PetSage."


def plural_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a compound noun in the plural: only the last one changes."""
    return (*words[:-1], _inflection().plural_noun(words[-1]))


def indefinite(noun: str) -> str:
    """The noun with its article: `a pet profile`, `an owner`."""
    return str(_inflection().a(noun))


@cache
def _inflection() -> inflect.engine:
    # Imported on first use: inflect checks its own types at import (typeguard), which costs
    # seconds, and only naming a new feature needs it.
    import inflect  # noqa: PLC0415

    return inflect.engine()
