from __future__ import annotations

from hypothesis import given, strategies as st

from avance.normalizers.codes import plain_split, segment, segment_codes

CATALOG = ["4.1", "4.1.3", "4.1.5", "4.1.6", "4.2.2", "4.2.3", "4.2.5", "4.2.6", "4.4", "4.5.2", "4.5.3", "4.5.4"]


def test_comma_read_as_dot_when_the_catalog_says_so():
    seg = segment("4.1,5,4.1,6,4.2.5 4.2,6", CATALOG)
    assert seg.codes == ("4.1.5", "4.1.6", "4.2.5", "4.2.6")
    assert seg.commas_as_dots == 3 and seg.changed
    assert segment_codes("4,4", CATALOG) == ["4.4"]
    assert segment_codes("4.2,3", CATALOG) == ["4.2.3"]


def test_comma_stays_a_separator_when_both_sides_are_listed():
    seg = segment("4.1.5,4.1.6,4.2.5", CATALOG)
    assert seg.codes == ("4.1.5", "4.1.6", "4.2.5") and seg.commas_as_dots == 0 and not seg.changed


def test_run_together_prefers_listed_codes_and_fewest_leftover_digits():
    seg = segment("1.1.1.1.1.1.2.1.1.3 1.1.4", ["1.1.1", "1.1.2", "1.1.3", "1.1.4"])
    assert seg.codes == ("1.1.1", "1.1.2", "1.1.3", "1.1.4")
    assert seg.leftover == ("1",)


def test_unlisted_short_code_is_kept_as_printed():
    assert segment_codes("4.3", CATALOG) == ["4.3"]
    assert segment_codes("4.5.4.5.3", ["4.5.3"]) == ["4.5", "4.5.3"]  # `4.5` unlisted but printed


def test_no_catalog_keeps_the_old_reading():
    assert segment_codes("1.1.4, 1.2.1, 1.2.3") == ["1.1.4", "1.2.1", "1.2.3"]
    assert plain_split("4.1,5 x 4.2") == ("4.1", "5", "4.2")


triples = st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)), min_size=1, max_size=5,
                   unique=True)


@given(triples, st.sampled_from([".", ",", ", ", " "]))
def test_listed_codes_are_recovered_whatever_the_separator(ts, sep):
    listed = [".".join(map(str, t)) for t in ts]
    seg = segment(sep.join(listed), listed)
    assert set(seg.codes) == set(listed)
    assert seg.leftover == ()


@given(triples, st.integers(0, 4))
def test_commas_inside_codes_are_dots(ts, k):
    listed = [".".join(map(str, t)) for t in ts]
    k = k % len(listed)
    garbled = listed[:k] + [listed[k][:3] + "," + listed[k][4:]] + listed[k + 1:]  # `4.1,5` for `4.1.5`
    seg = segment(" ".join(garbled), listed)
    assert set(seg.codes) == set(listed)


@given(st.text(alphabet="0123456789., ;-a", max_size=40), st.lists(st.sampled_from(CATALOG), max_size=6))
def test_segmentation_never_invents_digits(raw, catalog):
    seg = segment(raw, catalog)
    digits = "".join(c for c in raw if c.isdigit())
    for code in seg.codes:
        assert code.replace(".", "") in digits
    assert len(seg.codes) == len(set(seg.codes))
