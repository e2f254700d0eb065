from __future__ import annotations

from hypothesis import given, strategies as st

from avance.normalizers.codes import join_code_lines, segment_codes


def test_wrapped_cell_joins_in_its_own_style():
    assert join_code_lines(["1.1.4, 1.2.1,", "1.2.3"]) == "1.1.4, 1.2.1, 1.2.3"
    assert join_code_lines(["5.5,5.5.1,5.", "5.2,5.5.3,5.", "5.6"]) == "5.5,5.5.1,5.5.2,5.5.3,5.5.6"
    assert join_code_lines(["4.1.5,4.1.6,", "4.2.5"]) == "4.1.5,4.1.6,4.2.5"
    assert join_code_lines(["2.1.1 2.1.3", "4.2.2"]) == "2.1.1 2.1.3 4.2.2"
    assert join_code_lines([]) is None


def test_separated_codes():
    assert segment_codes("1.1.4, 1.2.1, 1.2.3") == ["1.1.4", "1.2.1", "1.2.3"]
    assert segment_codes("4.3, 4.3.1") == ["4.3", "4.3.1"]


def test_run_together_codes_follow_the_catalog():
    catalog = ["4.5", "4.5.3", "4.5.4", "4.3", "4.3.1"]
    # both listed codes beat one listed code and a leftover `5.3`
    assert segment_codes("4.5.4.5.3", catalog) == ["4.5", "4.5.3"]
    assert segment_codes("4.3.4.4.3.1", ["4.3.4", "4.3.1"]) == ["4.3.4", "4.3.1"]


codes = st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)), min_size=1, max_size=4, unique=True)


@given(codes)
def test_any_run_together_list_of_catalog_codes_is_recovered(triples):
    listed = [".".join(map(str, t)) for t in triples]
    run_together = ".".join(listed)
    assert set(segment_codes(run_together, listed)) == set(listed)
    assert segment_codes(", ".join(listed), listed) == listed


def test_a_code_a_narrow_cell_broke_before_its_dot_joins_again():
    assert join_code_lines(["5.5,5.5.1,5.5.2,5.5.3,5.5", ".6"]) == "5.5,5.5.1,5.5.2,5.5.3,5.5.6"
    assert join_code_lines(["1.2", "-3"]) == "1.2-3"
    assert join_code_lines(["1.2, 1.3", "Y MÁS"]) == "1.2, 1.3 Y MÁS"
