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
# `scheme://userinfo@`: greedy up to the last `@` on the line, so a password with a space, a
# slash or an unencoded `@` in it is masked whole (masking too much is the safe side).
_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<userinfo>[^\r\n]*)@", re.I)
# `name=value` with a secret-looking name (in a query string or a `key=value` DSN): the value
# runs to the next `&`, `#` or quote, or to the end of the line, so one with a space in it is
# masked whole.
_SECRET_ASSIGNMENT = re.compile(
    rf"(?P<name>[\w.-]*(?:{_CREDENTIAL_NAMES})[\w.-]*)=[^&#'\"\r\n]+", re.IGNORECASE
)


def mask_credentials(text: str) -> str:
    """`text` with every URL password and secret-looking parameter value replaced by `***`."""
    text = _USERINFO.sub(_mask_userinfo, text)
    return _SECRET_ASSIGNMENT.sub(lambda match: f"{match['name']}={MASK}", text)


def _mask_userinfo(match: re.Match[str]) -> str:
    # `user:password` keeps its user; a lone userinfo may itself be a token (`https://TOKEN@`).
    user, colon, _ = match["userinfo"].partition(":")
    return f"{match['scheme']}{user}:{MASK}@" if colon else f"{match['scheme']}{MASK}@"
