"""Credentials blotted out of text meant for operators: start-up errors and drivers' messages.

Whatever the text is (a setting's value that failed validation, a driver's error), a URL in it
keeps its scheme, user and host but never its password, and a `password=`/`token=`-like
parameter keeps its name but never its value. Only the credential is masked, where it sits:
masking every occurrence of a secret's value garbles the message around it, and so reveals a
short password (`role "app" *** not exist` for the password `does`).
"""

from __future__ import annotations

import re

MASK = "***"
# Parameter names that may carry a credential: asyncpg takes `password` in a URL's query,
# libpq-style URLs `sslpassword`, and others carry tokens, secrets or keys. By substring.
_CREDENTIAL_NAMES = r"pass|pwd|secret|token|key|credential"
SECRET_PARAMETER = re.compile(_CREDENTIAL_NAMES, re.IGNORECASE)
# A URL's start, and a `name=` (a query string's, or a `key=value` DSN's). Each is searched
# without backtracking (a bounded scheme, a possessive name), so that masking stays linear:
# a 130 kB value, what an environment variable may hold, takes milliseconds however it is made.
_SCHEME = re.compile(r"\b[a-z][a-z0-9+.-]{0,30}://", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"(?<![\w.-])([\w.-]++)=")
# A secret value runs to the next `&`, `#` or quote, or to the end of the line: one with a
# space in it is masked whole.
_VALUE_END = re.compile(r"[&#'\"\r\n]")


def mask_credentials(text: str) -> str:
    """`text` with every URL password and secret-looking parameter value replaced by `***`."""
    text = "".join(_mask_userinfo(line) for line in text.splitlines(keepends=True))
    return _mask_secret_values(text)


def _mask_userinfo(line: str) -> str:
    """Mask from a URL's `://` up to the last `@` of the line, so a password with a space, a
    slash or an unencoded `@` in it is masked whole (masking too much is the safe side). A
    `user:password` keeps its user; a lone userinfo may itself be a token (`https://TOKEN@`)."""
    scheme = _SCHEME.search(line)
    at = line.rfind("@")
    if scheme is None or at < scheme.end():
        return line
    user, colon, _ = line[scheme.end() : at].partition(":")
    return f"{line[: scheme.end()]}{user + ':' if colon else ''}{MASK}{line[at:]}"


def _mask_secret_values(text: str) -> str:
    pieces: list[str] = []
    done = 0
    while (assignment := _ASSIGNMENT.search(text, done)) is not None:
        value_start = assignment.end()
        pieces.append(text[done:value_start])
        done = value_start
        if SECRET_PARAMETER.search(assignment[1]):
            end = _VALUE_END.search(text, value_start)
            done = end.start() if end is not None else len(text)
            if done > value_start:
                pieces.append(MASK)
    pieces.append(text[done:])
    return "".join(pieces)
