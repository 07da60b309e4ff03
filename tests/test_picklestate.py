"""Model objects survive the build cache's pickling exactly, and bad state is refused;
quick constructors make what the constructors make."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import pytest
from conftest import REPO

from briefgen.indexes import EventRef
from briefgen.loader import load_site
from briefgen.model import Briefing, Source
from briefgen.picklestate import quick_new


def test_every_briefing_of_the_repository_round_trips() -> None:
    site = load_site(REPO)
    assert site.briefings
    for briefing in site.briefings:
        back = pickle.loads(pickle.dumps(briefing, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is Briefing
        assert back == briefing
        assert back.chronology == briefing.chronology and back.sources == briefing.sources


def test_a_state_of_the_wrong_length_is_refused() -> None:
    source = Source("s1", "Wire", "A report", "https://example.org/", None, None)
    restored = Source.__new__(Source)
    with pytest.raises(ValueError):
        restored.__setstate__(source.__getstate__()[:-1])
    with pytest.raises(ValueError):
        restored.__setstate__((*source.__getstate__(), "extra"))
    restored.__setstate__(source.__getstate__())
    assert restored == source



def test_quick_new_makes_the_object_the_constructor_makes() -> None:
    site = load_site(REPO)
    briefing = site.briefings[0]
    make = quick_new(EventRef)
    for entry in briefing.chronology:
        made = make(briefing, entry)
        assert type(made) is EventRef
        assert made == EventRef(briefing, entry) and hash(made) == hash(EventRef(briefing, entry))
        with pytest.raises(AttributeError):
            made.entry = entry  # type: ignore[misc]  # still frozen
    with pytest.raises(TypeError):  # a value short
        make(briefing)


def test_quick_new_refuses_a_class_whose_post_init_it_would_skip() -> None:
    @dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    with pytest.raises(TypeError, match="__post_init__"):
        quick_new(Checked)
