"""``Container``: the storage of one function input's value (PyTensor's ``link.basic.Container``)."""

from __future__ import annotations

from typing import Any

import jax

from graph2jax.compile import aliasing
from graph2jax.graph.basic import Type


class Container:
    """The storage of one input's default value (``f[name]`` reads and writes it).

    ``value`` is the current value, filtered to ``type`` when set;
    ``storage`` is PyTensor's one-element list view of it (``storage[0]``).
    Passed as an ``In``'s ``value``, the container is read at each call.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> x, s = gt.dscalars("x", "s")
    >>> acc = g.function([x, g.In(s, value=0.0, update=s + x)], s)
    >>> peek = g.function([g.In(s, value=acc.container[s])], s * 1)
    >>> _ = acc(2.0); _ = acc(3.0)
    >>> float(peek()), float(acc.container[s].storage[0])
    (5.0, 5.0)
    """

    def __init__(
        self, type: Type, value: Any, strict: bool, allow_downcast: bool | None, name: str | None
    ):
        self.type, self.strict, self.allow_downcast, self.name = type, strict, allow_downcast, name
        self.value = value

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, v: Any) -> None:
        value = None if v is None else self.type.filter(v, self.strict, self.allow_downcast)
        if isinstance(value, jax.Array):
            # a stateful input's buffer is donated by the next call: never the caller's array
            value = aliasing.fresh_copy(self.type, value)
        self._value = value

    @property
    def storage(self) -> _Cell:
        """PyTensor's ``storage``: a one-element list whose item is ``value``."""
        return _Cell(self)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_value"] = self.type.to_pickle(self._value)
        return state

    def __repr__(self) -> str:
        return f"<Container {self.name}: {self._value!r}>"


class _Cell(list):
    """``Container.storage``: ``[value]``; writing item 0 sets the container's value."""

    def __init__(self, container: Container):
        super().__init__([container.value])
        self._container = container

    def __setitem__(self, index: Any, value: Any) -> None:
        if index not in (0, -1):
            raise IndexError(f"a container's storage has one item, got index {index!r}")
        self._container.value = value
        super().__setitem__(0, self._container.value)
