"""Python source laid out as `ruff format` lays it out, for the generated code's longer lines.

A call (or subscript) stays on one line when it fits in 100 columns; otherwise it opens, takes
one argument per line with a trailing comma (which ruff then keeps: its "magic trailing
comma"), and closes. A string literal too long for its line becomes implicitly concatenated
pieces, one per line, split at spaces. The output is then what ruff format would leave as is.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE_MAX = 100
INDENT = 4


@dataclass(frozen=True, slots=True)
class Call:
    """`head(args...)`, or `head[args...]` with `brackets="[]"`; `head` may be `name=func`."""

    head: str
    args: tuple[Code, ...]
    brackets: str = "()"


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal, split over lines when it is too long for one."""

    value: str


Code = str | Call | Text


def literal(text: str) -> str:
    """`text` as a double-quoted literal (free text has no double quote or control character)."""
    return '"' + text.replace("\\", "\\\\") + '"'


def flat(code: Code) -> str:
    if isinstance(code, str):
        return code
    if isinstance(code, Text):
        return literal(code.value)
    opening, closing = code.brackets[0], code.brackets[1]
    return f"{code.head}{opening}{', '.join(map(flat, code.args))}{closing}"


def lay_out(code: Code, indent: int = 0, prefix: str = "", suffix: str = "") -> list[str]:
    """`code` as lines at `indent`, preceded by `prefix` and followed by `suffix`."""
    pad = " " * indent
    one_line = f"{pad}{prefix}{flat(code)}{suffix}"
    if len(one_line) <= LINE_MAX or isinstance(code, str):
        return [one_line]
    if isinstance(code, Text):
        return _split_text(code.value, indent, prefix, suffix)
    opening, closing = code.brackets[0], code.brackets[1]
    lines = [f"{pad}{prefix}{code.head}{opening}"]
    for argument in code.args:
        lines += lay_out(argument, indent + INDENT, suffix=",")
    lines.append(f"{pad}{closing}{suffix}")
    return lines


def _split_text(text: str, indent: int, prefix: str, suffix: str) -> list[str]:
    """Pieces that each fit, split after a space; `prefix` must be empty (an argument)."""
    pad = " " * indent
    room = LINE_MAX - indent - len(prefix) - len(suffix) - 2
    pieces, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(literal(candidate + " ")) - 2 > room:
            pieces.append(current + " ")
            current = word
        else:
            current = candidate
    pieces.append(current)
    lines = [f"{pad}{literal(piece)}" for piece in pieces]
    lines[0] = f"{pad}{prefix}{lines[0].lstrip()}"
    lines[-1] += suffix
    return lines


def joined(lines: list[str]) -> str:
    return "\n".join(lines)
