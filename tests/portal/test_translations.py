"""The fr and de catalogues: complete, compiled, and covering every text the chat script shows."""

from __future__ import annotations

import gettext
import re

import pytest

from hotline.views import CHAT_TEXTS
from portal.translations import LOCALE_DIR, PLURALS, TEXTS
from tests.realthings import ROOT


@pytest.mark.parametrize(("language", "index"), [("fr", 0), ("de", 1)])
def test_catalogues_are_complete_and_compiled(language: str, index: int) -> None:
    po = (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgids = _msgids(po)
    assert len(msgids) > 100
    assert "fuzzy" not in po
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    # Every text of the pages is translated, and the compiled catalogue is the current one.
    assert msgids - set(TEXTS) - set(PLURALS) == set()
    for msgid in msgids - set(PLURALS):
        assert catalogue.gettext(msgid) == TEXTS[msgid][index], msgid
    for msgid, forms in PLURALS.items():
        assert catalogue.ngettext(msgid, msgid + "s", 2) == forms[index][1]


def test_every_text_of_the_chat_script_is_translatable() -> None:
    script = (ROOT / "hotline" / "static" / "hotline" / "chat.js").read_text(encoding="utf-8")
    shown = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', script))
    assert shown
    assert shown <= set(CHAT_TEXTS), sorted(shown - set(CHAT_TEXTS))
    assert set(CHAT_TEXTS) <= set(TEXTS), sorted(set(CHAT_TEXTS) - set(TEXTS))


def _msgids(po: str) -> set[str]:
    found = set()
    for entry in po.split("\n\n")[1:]:
        match = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if match:
            found.add(
                "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))).replace('\\"', '"')
            )
    return found
