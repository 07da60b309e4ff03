"""Casualty figures: the grammar of a figure as written in YAML, and honest totals.

Sources hedge: "at least 18", "about 40", "10-15", "dozens".  Adding those up
as plain numbers would turn hedged reports into false precision, so every
figure is kept as bounds (low/high) plus a qualifier, totals carry the bounds
through, and the total's text says in words what it could not count.

Pure: stdlib only, no I/O, no imports from the rest of briefgen.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from briefgen.picklestate import quick_pickle

__all__ = [
    "UNQUANTIFIED_WORDS",
    "Figure",
    "Qualifier",
    "Total",
    "format_number",
    "parse_figure",
    "total",
]

Qualifier = Literal[
    "exact", "at least", "more than", "approximate", "range", "up to", "unquantified"
]

#: Words that report casualties without a number; they cannot be summed.
UNQUANTIFIED_WORDS = frozenset({"dozens", "scores", "hundreds", "several", "unknown"})

# ASCII digits only; thousands separators must be well formed ("1,200", not "1,20").
_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+"
_EXACT_RE = re.compile(_NUM)
# Whitespace is collapsed to single spaces before matching, hence " ?".
_RANGE_RE = re.compile(rf"({_NUM}) ?[-\u2013] ?({_NUM})")
_BOUND_RE = re.compile(
    rf"(at least|more than|over|about|around|nearly|approximately|up to) ({_NUM})",
    re.IGNORECASE,
)
_NEGATIVE_RE = re.compile(r"(?:^|\s)-\s*[0-9]")
_ACCEPTED = (
    "write a whole number (19), 'at least 19', 'more than 19', 'about 19', "
    "a range '10-15', 'up to 19', or one of dozens, scores, hundreds, several, unknown"
)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Figure:
    """One reported figure, kept as bounds rather than as a single number.

    "at least 18" is not the number 18: holding ``low`` and ``high`` apart lets
    totals stay honest about what is known.  ``low`` is None only for
    unquantified words; ``high`` is None when nothing bounds the figure above.
    """

    text: str
    low: int | None
    high: int | None
    qualifier: Qualifier

    def __post_init__(self) -> None:
        # Checked here too so hand-built figures cannot break total()'s sums.
        if self.qualifier == "unquantified":
            ok = self.low is None and self.high is None
        else:
            ok = (
                self.low is not None
                and self.low >= 0
                and (self.high is None or self.high >= self.low)
            )
        if not ok:
            raise ValueError(
                f"inconsistent figure {self.text!r}: low={self.low}, high={self.high}, "
                f"qualifier={self.qualifier!r}"
            )

    @property
    def approximate(self) -> bool:
        """True for "about N" and friends, so totals can say "about" too."""
        return self.qualifier == "approximate"

    @property
    def quantified(self) -> bool:
        """False for words like "dozens", which have no bounds to add up."""
        return self.qualifier != "unquantified"

    def __str__(self) -> str:
        return self.text


def _quote(value: object) -> str:
    return repr(str(value))


def _negative(value: object) -> ValueError:
    return ValueError(
        f"{_quote(value)} is negative: a casualty figure counts people, "
        "so it must be a whole number of 0 or more"
    )


def _to_int(digits: str) -> int:
    return int(digits.replace(",", ""))


@functools.lru_cache(maxsize=4096)
def parse_figure(value: str | int) -> Figure:
    """Parse one figure as written in YAML (a str or an int).

    Raises ValueError quoting the bad value and saying what is accepted, so an
    editor can fix the YAML without reading this module. Cached: a figure is
    immutable, and one object for each recurring figure ("at least 2") is
    stored once per build cache file (see ``fields.SHARED_TEXT``).
    """
    # bool is an int subclass: `true` in YAML must not become 1 casualty.
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{_quote(value)} is not a casualty figure: {_ACCEPTED}")
    if isinstance(value, int):
        if value < 0:
            raise _negative(value)
        return Figure(str(value), value, value, "exact")
    text = " ".join(value.split())
    if text.lower() in UNQUANTIFIED_WORDS:
        return Figure(text, None, None, "unquantified")
    if _EXACT_RE.fullmatch(text):
        n = _to_int(text)
        return Figure(text, n, n, "exact")
    if m := _RANGE_RE.fullmatch(text):
        low, high = _to_int(m[1]), _to_int(m[2])
        if low > high:
            raise ValueError(
                f"{_quote(text)} is a reversed range: put the smaller number "
                f"first, e.g. '{m[2]}-{m[1]}'"
            )
        return Figure(text, low, high, "range")
    if m := _BOUND_RE.fullmatch(text):
        n, word = _to_int(m[2]), m[1].lower()
        if word == "at least":
            return Figure(text, n, None, "at least")
        if word in ("more than", "over"):
            return Figure(text, n + 1, None, "more than")
        if word == "up to":
            return Figure(text, 0, n, "up to")
        return Figure(text, n, n, "approximate")
    if _NEGATIVE_RE.search(text):
        raise _negative(text)
    raise ValueError(f"{_quote(text)} is not a casualty figure: {_ACCEPTED}")


def format_number(n: int) -> str:
    """Format with thousands separators (1200 -> "1,200") for readable pages."""
    return f"{n:,}"


@dataclass(frozen=True, slots=True)
class Total:
    """The sum of several figures, honest about bounds and omissions.

    ``low`` and ``high`` bound the quantified figures only; ``unquantified``
    counts the figures ("dozens", "unknown") that could not be added, and
    ``text`` says so rather than letting a partial sum pass for the whole.
    ``unquantified_words`` keeps those words so a lone one can be shown as is.
    """

    low: int
    high: int | None
    approximate: bool
    unquantified: int
    count: int
    unquantified_words: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Human text, e.g. "at least 20", "about 20-25" (en dash), "none reported"."""
        if self.count == 0:
            return "none reported"
        if self.unquantified == self.count:
            if self.count == 1 and len(self.unquantified_words) == 1:
                return self.unquantified_words[0]
            return "unquantified reports"
        low = format_number(self.low)
        if self.high is None:
            amount = f"at least about {low}" if self.approximate else f"at least {low}"
        else:
            amount = low if self.high == self.low else f"{low}\u2013{format_number(self.high)}"
            if self.approximate:
                amount = f"about {amount}"
        if self.unquantified:
            amount += ", plus unquantified reports"
        return amount

    def __str__(self) -> str:
        return self.text


def total(figures: Iterable[Figure]) -> Total:
    """Add figures up, keeping lower and upper bounds apart.

    One figure unbounded above makes the total unbounded above; unquantified
    figures are left out of the sums but counted, so the text can mention them.
    """
    low, approximate, count = 0, False, 0
    high_sum: int | None = 0
    words: list[str] = []
    for figure in figures:
        count += 1
        if figure.low is None:
            words.append(figure.text.lower())
            continue
        low += figure.low
        high_sum = None if high_sum is None or figure.high is None else high_sum + figure.high
        approximate = approximate or figure.approximate
    return Total(low, high_sum, approximate, len(words), count, tuple(words))
