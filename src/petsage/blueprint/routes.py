"""Which requests a route answers, and whether two routes could both answer one request.

Starlette tries routes in order and the first whose pattern matches wins, so an exact clash
is not the only danger: a feature's `/system/{id}` mounted before `/system/info` answers
`GET /system/info` itself (a 422, as `info` is no integer), and the `/docs-static` mount
answers everything below it. Two routes overlap when some path matches both patterns and
they share a method; then whichever comes first silently takes the other's requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from starlette.convertors import CONVERTOR_TYPES
from starlette.routing import BaseRoute, Mount, Route

# `{name}` or `{name:convertor}` in a path template, as Starlette parses it.
PARAMETER = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")
# Values tried for a parameter, besides the other pattern's own literal text: one of each
# shape a convertor accepts (a word, a number, a decimal, a UUID).
SAMPLES = ("x", "1", "1.5", "00000000-0000-0000-0000-000000000000")


class _Rest:
    """A `{name:path}` parameter (or a mount): the rest of the path, slashes included."""


REST = _Rest()
Segment = tuple[str, ...] | _Rest  # literal and parameter parts alternate: (lit, conv, lit...)


@dataclass(frozen=True, slots=True)
class ServedRoute:
    """One route as far as matching goes: its owner, methods (None: any) and path template."""

    owner: str
    methods: frozenset[str] | None
    path: str

    def describe(self, among: frozenset[str] | None = None) -> str:
        """`GET /system/info`, naming only the methods shared with `among` (None: all)."""
        if self.methods is None:
            return f"everything under {self.path.removesuffix('{path:path}')}"
        methods = self.methods if among is None else self.methods & among
        return f"{'/'.join(sorted(methods - {'HEAD'} or methods))} {self.path}"

    def overlaps(self, other: ServedRoute) -> bool:
        """Whether some request could match both (a shared method, a path matching both)."""
        methods, others = self.methods, other.methods
        if methods is not None and others is not None and not methods & others:
            return False
        return _overlap(_segments(self.path), _segments(other.path))

    def covers(self, path: str) -> bool:
        """Whether this route's pattern matches the concrete `path`."""
        return _overlap(_segments(self.path), _segments(path))


def owner_of(feature_name: str) -> str:
    return f"feature {feature_name!r}"


def served_routes(routes: Iterable[BaseRoute], owner: str) -> Iterator[ServedRoute]:
    """The routes among `routes` (a router's or an app's), in matching order."""
    for route in routes:
        if isinstance(route, Mount):
            yield ServedRoute(owner, None, route.path + "/{path:path}")
        elif isinstance(route, Route):
            methods = set(route.methods or ())
            if "GET" in methods:  # HEAD is answered wherever GET is (HeadAsGetMiddleware)
                methods.add("HEAD")
            yield ServedRoute(owner, frozenset(methods) if methods else None, route.path)
        elif (included := getattr(route, "original_router", None)) is not None:
            # FastAPI keeps a router included into another as a lazy branch.
            prefix = str(getattr(getattr(route, "include_context", None), "prefix", "") or "")
            for inner in served_routes(included.routes, owner):
                yield ServedRoute(inner.owner, inner.methods, prefix + inner.path)


def first_overlap(route: ServedRoute, others: Iterable[ServedRoute]) -> ServedRoute | None:
    """The first of `others`, of another owner, that could answer a request of `route`."""
    return next((o for o in others if o.owner != route.owner and route.overlaps(o)), None)


def under_prefix(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or below it, as `ProbePaths` decides."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/") or prefix == ""


@cache
def _segments(template: str) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    for text in template.removeprefix("/").split("/"):
        parts: list[str] = []
        position = 0
        for match in PARAMETER.finditer(text):
            convertor = match.group(2) or "str"
            if convertor == "path":
                segments.append(REST)
                return tuple(segments)
            parts += [text[position : match.start()], convertor]
            position = match.end()
        segments.append((*parts, text[position:]))
    return tuple(segments)


def _overlap(first: tuple[Segment, ...], second: tuple[Segment, ...]) -> bool:
    for a, b in zip(first, second, strict=False):
        if isinstance(a, _Rest) or isinstance(b, _Rest):
            return True  # the rest matches whatever follows the slash
        if not _segment_overlap(a, b):
            return False
    return len(first) == len(second)


@cache  # every app built checks the same few dozen pairs again
def _segment_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one path segment could match both: tried with each one's literal text and
    samples in the other's parameters (exact for the patterns routes use)."""
    pattern_a, pattern_b = _regex(a), _regex(b)
    fill = (*SAMPLES, *a[::2], *b[::2])
    return any(
        pattern_a.fullmatch(candidate) and pattern_b.fullmatch(candidate)
        for candidate in (*_instances(a, fill), *_instances(b, fill))
    )


def _instances(segment: tuple[str, ...], fill: tuple[str, ...]) -> Iterator[str]:
    literals, parameters = segment[::2], len(segment) // 2
    for value in fill:
        yield value.join(literals) if parameters else literals[0]


@cache
def _regex(segment: tuple[str, ...]) -> re.Pattern[str]:
    pieces = [
        re.escape(part) if index % 2 == 0 else f"(?:{CONVERTOR_TYPES[part].regex})"
        for index, part in enumerate(segment)
    ]
    return re.compile("".join(pieces))
