"""Quick pickling for the model's slotted dataclasses.

The build cache stores tens of thousands of these objects. The state
methods that ``dataclass(slots=True)`` adds call ``dataclasses.fields()``
for every object, which made unpickling a 10,000-briefing cache take
seconds; these do the same with the field names looked up once per class.
The state is the tuple of field values, so the objects are restored exactly
(no ``__init__`` or ``__post_init__`` runs, as before).

The same straight-line setters make objects that derive makes by the tens
of thousands (:func:`quick_new`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def quick_pickle(cls: type[T]) -> type[T]:
    """Give a slotted dataclass tuple-based ``__getstate__``/``__setstate__``."""
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in names])

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 (mypy forbids assigning methods)
    setattr(cls, "__setstate__", _unrolled_setstate(cls, names))  # noqa: B010
    return cls


def quick_new(cls: type[T]) -> Callable[..., T]:
    """A constructor of frozen slotted dataclass ``cls`` taking its field values in order.

    A frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, twice the time of the slot setters this calls:
    derive makes an event reference for each of a large site's 75,000
    chronology entries. ``cls`` must have no ``__post_init__`` (it would not run).
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__, which quick_new would skip")
    names = tuple(field.name for field in dataclasses.fields(cls))  # type: ignore[arg-type]
    scope: dict[str, Any] = {f"set_{n}": getattr(cls, name).__set__
                             for n, name in enumerate(names)}
    scope.update(make=object.__new__, cls=cls)
    values = ", ".join(f"v{n}" for n in range(len(names)))
    lines = [f"def new({values}):", "    self = make(cls)",
             *(f"    set_{n}(self, v{n})" for n in range(len(names))), "    return self"]
    exec("\n".join(lines), scope)
    new: Callable[..., T] = scope["new"]
    return new


def _unrolled_setstate(cls: type, names: tuple[str, ...]) -> Any:
    """``__setstate__`` written out field by field for ``cls``.

    Unpacking the tuple and calling each slot's own setter in straight-line
    code (it skips the frozen class's ``__setattr__`` check and the name
    lookup) restores an object in half the time of a loop over the fields;
    a state of the wrong length fails the unpacking with a ValueError.
    The generated source holds only the field names, which are identifiers.
    """
    if not names:
        return lambda self, state: None
    scope = {f"set_{n}": getattr(cls, name).__set__ for n, name in enumerate(names)}
    values = ", ".join(f"v{n}" for n in range(len(names)))
    lines = ["def __setstate__(self, state):", f"    {values}, = state",
             *(f"    set_{n}(self, v{n})" for n in range(len(names)))]
    exec("\n".join(lines), scope)
    return scope["__setstate__"]
