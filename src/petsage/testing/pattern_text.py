"""A string that a field's `pattern` accepts, for fields declared without an example.

Deterministic and small: it walks the parsed regular expression and takes the fewest
repetitions allowed and, at each step, the `variant`-th character of a class; a repeated class
counts `variant` in its own base. So variants 0, 1, 2 give distinct, ordered strings:
`000000000000000` < `000000000000001` < `000000000000002` for `^[0-9]{15}$`.
Constructs it cannot follow (back-references, look-arounds that must hold) give None, and the
field then needs an example.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# What a category stands for, first choice first.
CATEGORY_CHARACTERS = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_NOT_DIGIT": "abcdefghij",
    "CATEGORY_WORD": "abcdefghij",
    "CATEGORY_NOT_WORD": "-.:;,!?+=@",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "abcdefghij",
}
# At most this many characters of a range are used (`[a-z]`: all 26; `[\x00-\uffff]`: 26).
CLASS_SPAN = 26
FALLBACK_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789-_."


class UnsupportedPatternError(Exception):
    """The pattern uses a construct this generator does not follow."""


def text_matching(pattern: str, variant: int = 0) -> str | None:
    """A string `re.search(pattern, ...)` accepts whole, or None when none can be built."""
    try:
        text = build(sre_parse.parse(pattern), variant)
    except (UnsupportedPatternError, re.error):
        return None
    return text if re.fullmatch(pattern, text) or re.search(pattern, text) else None


def build(parsed: Any, variant: int) -> str:
    return "".join(piece(str(op), argument, variant) for op, argument in parsed)


def piece(op: str, argument: Any, variant: int) -> str:
    if op in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
        fewest: int = argument[0]
        inner = list(argument[2])
        if fewest > 1 and len(inner) == 1 and str(inner[0][0]) == "IN":
            return counted(inner[0][1], fewest, variant)
        return build(inner, variant) * fewest
    if op in GROUPS:
        return build(GROUPS[op](argument), variant)
    if op not in SINGLE:
        raise UnsupportedPatternError(op)
    return SINGLE[op](argument, variant)


# Groups and alternations: the parsed sequence to follow (an alternation's first branch).
GROUPS: dict[str, Callable[[Any], Any]] = {
    "SUBPATTERN": lambda argument: argument[-1],
    "ATOMIC_GROUP": lambda argument: argument,
    "BRANCH": lambda argument: argument[1][0],
}


def not_literal(code: int, variant: int) -> str:
    return next(c for c in FALLBACK_CHARACTERS if ord(c) != code)


def any_character(argument: Any, variant: int) -> str:
    return FALLBACK_CHARACTERS[variant % len(FALLBACK_CHARACTERS)]


def category(argument: Any, variant: int) -> str:
    return CATEGORY_CHARACTERS.get(str(argument), "a")[0]


def one_of(items: list[tuple[Any, Any]], variant: int) -> str:
    """The `variant`-th character a `[...]` class holds, or the first outside a `[^...]`."""
    if items and str(items[0][0]) == "NEGATE":
        allowed = [c for c in FALLBACK_CHARACTERS if not any(member(i, c) for i in items[1:])]
        if not allowed:
            raise UnsupportedPatternError("negated class")
        return allowed[min(variant, len(allowed) - 1)]
    characters: list[str] = []
    for op, argument in items:
        name = str(op)
        if name == "LITERAL":
            characters.append(chr(argument))
        elif name == "RANGE":
            low, high = argument
            characters.extend(chr(code) for code in range(low, min(high, low + CLASS_SPAN - 1) + 1))
        elif name == "CATEGORY":
            characters.extend(CATEGORY_CHARACTERS.get(str(argument), "a"))
        else:
            raise UnsupportedPatternError(name)
    if not characters:
        raise UnsupportedPatternError("empty class")
    return characters[min(variant, len(characters) - 1)]


def counted(items: list[tuple[Any, Any]], length: int, variant: int) -> str:
    """`length` characters of a class spelling `variant` in its base, most significant first:
    for `[0-9]{15}`, variant 12 is `000000000000012`. Ascending and distinct for every variant
    the length can hold, so a unique field gets as many values as a test needs."""
    alphabet = [one_of(items, index) for index in range(CLASS_SPAN)]
    alphabet = list(dict.fromkeys(alphabet))  # a short class repeats its last character
    digits = []
    for _ in range(length):
        variant, digit = divmod(variant, len(alphabet))
        digits.append(alphabet[digit])
    return "".join(reversed(digits))


def member(item: tuple[Any, Any], character: str) -> bool:
    """Whether one member of a character class matches `character`."""
    op, argument = str(item[0]), item[1]
    if op == "LITERAL":
        return bool(ord(character) == argument)
    if op == "RANGE":
        return bool(argument[0] <= ord(character) <= argument[1])
    if op == "CATEGORY":
        return character in CATEGORY_CHARACTERS.get(str(argument), "")
    raise UnsupportedPatternError(op)


# Single characters (and anchors, which add none).
SINGLE: dict[str, Callable[[Any, int], str]] = {
    "LITERAL": lambda code, variant: chr(code),
    "NOT_LITERAL": not_literal,
    "ANY": any_character,
    "IN": one_of,
    "AT": lambda anchor, variant: "",
    "CATEGORY": category,
}
