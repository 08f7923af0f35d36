"""``Container``: the storage of one function input's value (PyTensor's ``link.basic.Container``)."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from graph2jax.compile import aliasing
from graph2jax.graph.basic import Type
from graph2jax.types.sharedvar import StorageCell


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
        self._cell = StorageCell(self)

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

    def storage_read(self) -> Any:
        """``storage[0]``: the value."""
        return self.value

    def storage_write(self, value: Any) -> None:
        """``storage[0] = value``: sets the value (filtered to the type)."""
        self.value = value

    @property
    def storage(self) -> StorageCell:
        """PyTensor's ``storage``: one list per container, whose one item is ``value``."""
        return self._cell

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_value"] = self.type.to_pickle(self._value)
        del state["_cell"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._cell = StorageCell(self)

    def __copy__(self) -> Container:
        new = object.__new__(Container)
        new.__dict__.update(self.__dict__)
        new._cell = StorageCell(new)  # a copy has its own storage
        if isinstance(new._value, np.ndarray):  # f[name] hands out host values: never shared
            new._value = new._value.copy()
        return new

    def __repr__(self) -> str:
        return f"<Container {self.name}: {self._value!r}>"


class _ContainerMap:
    """``Function.container``: the containers, looked up as ``f[key]`` looks values up."""

    def __init__(self, function: Any):
        self._function = function

    def __getitem__(self, key: Any) -> Container:
        return self._function._container(key)

    def __contains__(self, key: Any) -> bool:
        return key in self._function


class _ValueMap(_ContainerMap):
    """``Function.value``: the inputs' default values (``f.value[key]`` is ``f[key]``)."""

    def __getitem__(self, key: Any) -> Any:
        return self._function[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._function[key] = value
