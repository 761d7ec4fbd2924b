"""What a health check may be called: one rule for the checks, their settings and the API.

At the bottom of the layers, beside the settings, so that the settings (an HTTP check's
name), the health engine (every check) and the health feature (the path parameter and the
history filter) all read the one definition.
"""

from __future__ import annotations

import re

# The `health_events.check_name` column's width, which every name must fit.
CHECK_NAME_MAX = 100
_FIRST = "a-z0-9"
# A hyphen is last in each class, where it is itself and not a range.
_REST = "a-z0-9_."
# `:` separates a kind from its instance (`http:payments`).
CHECK_NAME_PATTERN = rf"^[{_FIRST}][{_REST}:-]{{0,{CHECK_NAME_MAX - 1}}}$"
CHECK_NAME = re.compile(CHECK_NAME_PATTERN)

# An entry of PETSAGE_HEALTH_HTTP_CHECKS is checked as `http:<name>`: its name takes the same
# characters but the colon, and is short enough for the whole to be a check name.
HTTP_CHECK_PREFIX = "http:"
HTTP_CHECK_NAME_PATTERN = (
    rf"^[{_FIRST}][{_REST}-]{{0,{CHECK_NAME_MAX - len(HTTP_CHECK_PREFIX) - 1}}}$"
)
