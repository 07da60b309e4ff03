"""Tests for briefgen.figures: the figure grammar and honest totals."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.figures import Figure, Total, format_number, parse_figure, total

# --- grammar ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text", "low", "high", "qualifier"),
    [
        (19, "19", 19, 19, "exact"),
        (0, "0", 0, 0, "exact"),
        ("19", "19", 19, 19, "exact"),
        ("0", "0", 0, 0, "exact"),
        ("  19\n", "19", 19, 19, "exact"),
        ("1,200", "1,200", 1200, 1200, "exact"),
        ("1,200,000", "1,200,000", 1_200_000, 1_200_000, "exact"),
        ("at least 18", "at least 18", 18, None, "at least"),
        ("  At   LEAST 18 ", "At LEAST 18", 18, None, "at least"),
        ("at least 1,000", "at least 1,000", 1000, None, "at least"),
        ("more than 3", "more than 3", 4, None, "more than"),
        ("over 3", "over 3", 4, None, "more than"),
        ("Over 0", "Over 0", 1, None, "more than"),
        ("about 10", "about 10", 10, 10, "approximate"),
        ("around 10", "around 10", 10, 10, "approximate"),
        ("nearly 10", "nearly 10", 10, 10, "approximate"),
        ("approximately 10", "approximately 10", 10, 10, "approximate"),
        ("ABOUT 10", "ABOUT 10", 10, 10, "approximate"),
        ("10-15", "10-15", 10, 15, "range"),
        ("10\u201315", "10\u201315", 10, 15, "range"),
        ("10 - 15", "10 - 15", 10, 15, "range"),
        ("10 \u2013 15", "10 \u2013 15", 10, 15, "range"),
        ("7-7", "7-7", 7, 7, "range"),
        ("1,000-1,500", "1,000-1,500", 1000, 1500, "range"),
        ("up to 5", "up to 5", 0, 5, "up to"),
        ("Up To 5", "Up To 5", 0, 5, "up to"),
        ("dozens", "dozens", None, None, "unquantified"),
        ("scores", "scores", None, None, "unquantified"),
        ("hundreds", "hundreds", None, None, "unquantified"),
        ("several", "several", None, None, "unquantified"),
        ("unknown", "unknown", None, None, "unquantified"),
        (" Dozens ", "Dozens", None, None, "unquantified"),
    ],
)
def test_parse_figure_accepts(
    value: str | int, text: str, low: int | None, high: int | None, qualifier: str
) -> None:
    figure = parse_figure(value)
    assert figure == Figure(text, low, high, qualifier)  # type: ignore[arg-type]
    assert str(figure) == text


def test_figure_flags() -> None:
    assert parse_figure("about 10").approximate
    assert not parse_figure("10-15").approximate
    assert parse_figure("at least 1").quantified
    assert not parse_figure("dozens").quantified
    assert not parse_figure("dozens").approximate


def test_figure_is_frozen_and_slotted() -> None:
    figure = parse_figure(19)
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.low = 3  # type: ignore[misc]
    assert not hasattr(figure, "__dict__")


@pytest.mark.parametrize(
    ("low", "high", "qualifier"),
    [(None, 3, "exact"), (-1, -1, "exact"), (5, 3, "range"), (1, None, "unquantified")],
)
def test_figure_rejects_inconsistent_bounds(
    low: int | None, high: int | None, qualifier: str
) -> None:
    with pytest.raises(ValueError, match="inconsistent figure"):
        Figure("x", low, high, qualifier)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("+5", "'+5'"),
        ("1.5", "'1.5'"),
        (1.5, "'1.5'"),
        ("19 people", "'19 people'"),
        ("lots", "'lots'"),
        ("", "''"),
        ("   ", "''"),
        (True, "'True'"),
        (False, "'False'"),
        (None, "'None'"),
        ("1 200", "'1 200'"),
        ("1,20", "'1,20'"),
        ("1,2000", "'1,2000'"),
        (",200", "',200'"),
        ("at least", "'at least'"),
        ("at least lots", "'at least lots'"),
        ("about 1.5", "'about 1.5'"),
        ("up to", "'up to'"),
        ("10-", "'10-'"),
        ("10--15", "'10--15'"),
        ("10\u201415", "'10\u201415'"),
        ("dozen", "'dozen'"),
        ("\u0661\u0669", "'\u0661\u0669'"),  # Arabic-Indic digits
    ],
)
def test_parse_figure_rejects(value: object, quoted: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_figure(value)  # type: ignore[arg-type]
    message = str(excinfo.value)
    assert message.startswith(f"{quoted} is not a casualty figure:")
    assert "'at least 19'" in message
    assert "a range '10-15'" in message
    assert "dozens, scores, hundreds, several, unknown" in message


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        (-5, "'-5'"),
        ("-5", "'-5'"),
        ("- 5", "'- 5'"),
        ("at least -5", "'at least -5'"),
        ("about -1,000", "'about -1,000'"),
        ("-5-10", "'-5-10'"),
    ],
)
def test_parse_figure_rejects_negative(value: str | int, quoted: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_figure(value)
    assert str(excinfo.value).startswith(f"{quoted} is negative:")


@pytest.mark.parametrize("value", ["15-10", "15 \u2013 10"])
def test_parse_figure_rejects_reversed_range(value: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_figure(value)
    message = str(excinfo.value)
    assert message.startswith(f"{value!r} is a reversed range")
    assert "'10-15'" in message


# --- totals ----------------------------------------------------------------


def _total(*values: str | int) -> Total:
    return total(parse_figure(v) for v in values)


def test_total_exact_plus_exact() -> None:
    assert _total(19, 1).text == "20"


def test_total_exact_plus_at_least() -> None:
    assert _total(19, "at least 1").text == "at least 20"


def test_total_range_plus_exact() -> None:
    assert _total("10-15", 2).text == "12\u201317"


def test_total_up_to_plus_exact() -> None:
    assert _total("up to 5", 2).text == "2\u20137"


def test_total_more_than_alone() -> None:
    assert _total("more than 3").text == "at least 4"


def test_total_about_plus_exact() -> None:
    assert _total("about 10", 5).text == "about 15"


def test_total_about_plus_range() -> None:
    assert _total("about 10", "10-15").text == "about 20\u201325"


def test_total_at_least_plus_unquantified() -> None:
    assert _total("at least 3", "dozens").text == "at least 3, plus unquantified reports"


def test_total_exact_plus_unknown() -> None:
    assert _total(3, "unknown").text == "3, plus unquantified reports"


def test_total_none_reported() -> None:
    result = total([])
    assert result.count == 0
    assert result.text == "none reported"
    assert str(result) == "none reported"


def test_total_only_unquantified() -> None:
    assert _total("dozens", "unknown").text == "unquantified reports"
    assert _total("dozens", "dozens").text == "unquantified reports"


def test_total_single_unquantified_uses_its_word() -> None:
    assert _total("dozens").text == "dozens"
    assert _total("Hundreds").text == "hundreds"


def test_total_thousands_separators() -> None:
    assert _total("1,200", 5).text == "1,205"
    assert _total(999, 1).text == "1,000"
    assert _total(999).text == "999"
    assert _total("1,000-1,500", "at least 2").text == "at least 1,002"
    assert _total("about 1,000", "500-1,000").text == "about 1,500\u20132,000"


def test_total_approximate_and_unbounded() -> None:
    assert _total("about 10", "at least 5").text == "at least about 15"


def test_total_fields() -> None:
    result = _total(3, "at least 2", "about 4", "dozens")
    assert result == Total(9, None, True, 1, 4, ("dozens",))
    assert str(result) == result.text


def test_total_accepts_one_shot_iterator() -> None:
    assert total(iter([parse_figure(1), parse_figure(2)])).text == "3"


def test_format_number() -> None:
    assert format_number(0) == "0"
    assert format_number(999) == "999"
    assert format_number(1200) == "1,200"
    assert format_number(1_234_567) == "1,234,567"


# --- properties ------------------------------------------------------------

_counts = st.integers(min_value=0, max_value=10**7)
_figure_texts = st.one_of(
    _counts.map(str),
    _counts.map(format_number),
    st.tuples(_counts, _counts).map(lambda ab: f"{min(ab)}-{max(ab)}"),
    _counts.map(lambda n: f"at least {n}"),
)


@given(st.lists(_figure_texts, max_size=20))
def test_total_sums_bounds(texts: list[str]) -> None:
    figures = [parse_figure(t) for t in texts]
    result = total(figures)
    lows = [f.low for f in figures]
    highs = [f.high for f in figures]
    assert result.low == sum(low for low in lows if low is not None)
    if any(high is None for high in highs):
        assert result.high is None
    else:
        assert result.high == sum(high for high in highs if high is not None)
    assert result.count == len(figures)
    assert result.unquantified == 0
    assert not result.approximate


@given(_counts)
def test_format_number_round_trips(n: int) -> None:
    assert parse_figure(format_number(n)).low == n
