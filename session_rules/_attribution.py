"""Who a submission is shown as in the admin screens.

The end user's name, else their email, else their id; without any of them,
the label of the API key that created the session.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._text import is_blank

__all__ = ["attribution_label"]


def attribution_label(external_user: object, api_key_label: str) -> str:
    """The admin label: first non-blank of name, email, id, else the key's.

    Members that are not strings, or are empty or only white space, are
    skipped, so an unchecked ``externalUser`` cannot produce a blank label.
    """
    if isinstance(external_user, Mapping):
        for name in ("name", "email", "id"):
            value = external_user.get(name)
            if isinstance(value, str) and not is_blank(value):
                return value
    return api_key_label
