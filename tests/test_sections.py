"""Which family a page belongs to when several claim it."""
from __future__ import annotations

from avance.families.base import FamilySpec, PageMark
from avance.pipeline import sections
from avance.records import Family, Page, Word


def _page(number: int, text: str) -> Page:
    return Page(number=number, width=600, height=800, words=(Word(10, 10, 200, 18, text),))


def _spec(family: Family, claims: dict[str, bool]) -> FamilySpec:
    """A family claiming pages whose text is in `claims` (value: by its title)."""
    def detect(page: Page):
        text = page.words[0].text
        return PageMark(family, None, by_title=claims[text]) if text in claims else None
    return FamilySpec(family, detect, lambda pages: None)


def test_a_family_knowing_the_page_by_its_title_wins_and_an_untitled_page_goes_on(monkeypatch):
    mir = _spec(Family.MIR_AVANCE, {"goal table": False, "continued goal table": False})
    poa = _spec(Family.POA_AVANCE, {"goal table": True})
    monkeypatch.setattr(sections, "FAMILY_SPECS", (mir, poa))
    pages = [_page(1, "goal table"), _page(2, "continued goal table")]
    assert sections.mark_page(pages[0])[0] is poa
    groups, orphans = sections.group_sections(pages)
    assert [(g.spec.family, [p.number for p in g.pages]) for g in groups] == [(Family.POA_AVANCE, [1, 2])]
    # alone, an untitled page still opens its family's section
    groups, _ = sections.group_sections([pages[1]])
    assert [g.spec.family for g in groups] == [Family.MIR_AVANCE]
