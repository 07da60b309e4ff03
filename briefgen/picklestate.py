"""Quick pickling for the model's slotted dataclasses.

The build cache stores tens of thousands of these objects. The state
methods that ``dataclass(slots=True)`` adds call ``dataclasses.fields()``
for every object, which made unpickling a 10,000-briefing cache take
seconds; these do the same with the field names looked up once per class.
The state is the tuple of field values, so the objects are restored exactly
(no ``__init__`` or ``__post_init__`` runs, as before).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def quick_pickle(cls: type[T]) -> type[T]:
    """Give a slotted dataclass tuple-based ``__getstate__``/``__setstate__``."""
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    # The slots' own setters: they skip the frozen class's __setattr__ check
    # and the name lookup, ~40 % faster than object.__setattr__ per field.
    setters = tuple(getattr(cls, name).__set__ for name in names)
    count = len(names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in names])

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        if len(state) != count:
            raise ValueError(f"{cls.__name__} takes {count} fields, not {len(state)}")
        for setter, value in zip(setters, state, strict=False):  # length checked above
            setter(self, value)

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 (mypy forbids assigning methods)
    setattr(cls, "__setstate__", __setstate__)  # noqa: B010
    return cls
