"""Choice labels in the reader's language.

The models' labels stay English strings, marked with gettext_noop so that `makemessages` puts
them in the catalogues: the API, the texts stored in the database (timeline messages), e-mails
and the Transparency Database use them as they are, whatever language a request activated. A
page translates a label only when it shows it, with these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy


def choice_label(label: object) -> str:
    """`label` (a choice's English label, e.g. `get_status_display()`) in the active language;
    unchanged when the catalogues do not have it."""
    text = str(label)
    return gettext(text) if text else text


def translated_choices(choices: Iterable[tuple[str, str]]) -> list[tuple[str, Promise]]:
    """`choices` (e.g. `RequestStatus.choices`) with their labels translated when a form renders
    them, in the language of that request (the form may be built at import time)."""
    return [(value, gettext_lazy(label)) for value, label in choices]
