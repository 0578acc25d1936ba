"""A base for the package's small immutable value classes.

`FieldError`, `Outcome`, `UploadStage` and `Policy` are compared by
value, hashable, immutable and picklable. They are written by hand on this
base rather than with ``dataclasses``: importing that module (it brings
``inspect``, ``ast`` and ``dis``) and generating the classes would cost
more than the rest of ``import session_rules``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self, dataclass_transform

__all__ = ["Frozen"]


# Type checkers then read subclasses as frozen dataclasses: assigning to a
# field is an error there as it is at run time.
@dataclass_transform(frozen_default=True)
class Frozen:
    """Slotted, immutable, compared and hashed by the fields it names.

    A subclass lists its constructor arguments in ``_FIELDS`` (repr,
    pickling and `_replace` use them, in order) and may narrow
    ``_COMPARED`` (equality and hash; all fields by default).  Its
    ``__init__`` checks its arguments, then sets the slots with `_assign`.
    """

    __slots__ = ()
    _FIELDS: tuple[str, ...] = ()
    _COMPARED: tuple[str, ...] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only a class that names its fields sets their defaults: a
        # subclass of Policy, say, keeps comparing without the resolver.
        if "_FIELDS" in cls.__dict__:
            if "_COMPARED" not in cls.__dict__:
                cls._COMPARED = cls._FIELDS
            setattr(cls, "__match_args__", cls._FIELDS)  # noqa: B010 (mypy won't let a dunder be assigned)

    def _assign(self, values: Iterable[tuple[str, object]]) -> None:
        """Set the slots, once: calling ``__init__`` on a built value raises."""
        if hasattr(self, self._FIELDS[0]):
            raise AttributeError(f"{type(self).__name__} is immutable: already built")
        for name, value in values:
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(
            f"{type(self).__name__} is immutable: cannot delete {name!r}"
        )

    def _key(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._COMPARED or ()])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"{type(self).__name__}({shown})"

    def _arguments(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this value."""
        return {name: getattr(self, name) for name in self._FIELDS}

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed, checked as the constructor checks."""
        return type(self)(**{**self._arguments(), **changes})

    # copy.replace (Python 3.13) calls this, as it does for dataclasses.
    __replace__ = _replace

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self._arguments())


def _rebuild(cls: type[Frozen], arguments: dict[str, Any]) -> Frozen:
    """Unpickle: call the constructor again, so every check runs."""
    return cls(**arguments)
