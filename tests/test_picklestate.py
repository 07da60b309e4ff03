"""Model objects survive the build cache's pickling exactly, and bad state is refused."""

from __future__ import annotations

import pickle

import pytest
from conftest import REPO

from briefgen.loader import load_site
from briefgen.model import Briefing, Source


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

