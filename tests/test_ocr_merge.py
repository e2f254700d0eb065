"""Merging the second readings of doubtful paragraphs back into the page's words
(extractors/ocr._merge_readings): each spot on the page keeps one word."""
from __future__ import annotations

from avance.extractors.ocr import _merge_readings
from avance.extractors.tesseract import OcrWord


def word(text: str, left: int, top: int, right: int, conf: float = 90.0, bottom: int | None = None) -> OcrWord:
    return OcrWord(text, left, top, right, top + 10 if bottom is None else bottom, conf)


def texts(words: list[OcrWord]) -> list[str]:
    return [w.text for w in words]


def test_a_word_read_by_two_overlapping_paragraphs_is_kept_once():
    # two paragraphs whose boxes overlap (a long line over its neighbour's cell), both read again
    page = [word("impulso", 0, 0, 60, 40), word("del", 65, 0, 90, 40), word("personal", 0, 12, 60, 40)]
    paragraph_of = {0: 0, 1: 0, 2: 2}
    replaced = {0: [word("impulso", 0, 0, 60), word("del", 65, 0, 90)], 1: [],
                2: [word("impulso", 1, 1, 60, 80), word("personal", 0, 12, 60)]}
    assert sorted(texts(_merge_readings(page, replaced, paragraph_of))) == ["del", "impulso", "personal"]


def test_a_clipped_piece_of_a_neighbours_word_is_left_to_the_neighbour():
    page = [word("Posicionamiento", 0, 0, 100, 60), word("del", 0, 12, 20, 50)]
    paragraph_of = {0: 0, 1: 1}
    # paragraph 1's crop cut the neighbour's word: `Posicic` lands on paragraph 0's word
    replaced = {1: [word("Posicic", 0, 2, 40, 95), word("del", 0, 12, 20, 95)]}
    assert texts(_merge_readings(page, replaced, paragraph_of)) == ["Posicionamiento", "del"]


def test_a_new_word_on_the_page_word_of_a_paragraph_not_read_again_is_dropped():
    page = [word("Desarrollo", 0, 0, 60, 88), word("Plan", 70, 0, 100, 40)]
    paragraph_of = {1: 1}
    replaced = {1: [word("Desarrollo", 1, 0, 60, 94), word("Plan", 70, 0, 100, 95)]}
    assert texts(_merge_readings(page, replaced, paragraph_of)) == ["Desarrollo", "Plan"]


def test_a_speck_inside_a_word_does_not_push_the_word_out():
    page = [word("Incrementan", 0, 0, 80, 40)]
    paragraph_of = {0: 0}
    replaced = {0: [word(".", 30, 4, 33, 96, bottom=7), word("Incrementan", 0, 0, 80, 91)]}
    assert texts(_merge_readings(page, replaced, paragraph_of)) == [".", "Incrementan"]
