"""``Container``: the storage of one function input's value (PyTensor's ``link.basic.Container``)."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from graph2jax.compile import aliasing
from graph2jax.graph.basic import Type, Variable
from graph2jax.types.sharedvar import StorageCell


class Container:
    """The storage of one input's default value (``f[name]`` reads and writes it).

    ``value`` is the current value, filtered to ``type`` when set;
    ``storage`` is PyTensor's one-element list view of it (``storage[0]``).
    Passed as an ``In``'s ``value``, the container is read at each call.

    Parameters
    ----------
    r : Variable or Type
        The variable whose value it holds (its type and name are used), or the type.
    storage : list or None
        PyTensor's form: a list whose first item is the initial value; None: no value.
    strict, allow_downcast
        How set values are filtered to ``type`` (as ``In``).
    name : str, optional
        Defaults to ``r``'s name.
    readonly : bool
        When True, setting the value raises ``TypeError``.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> x, s = gt.dscalars("x", "s")
    >>> acc = g.function([x, g.In(s, value=0.0, update=s + x)], s)
    >>> peek = g.function([g.In(s, value=acc.container[s])], s * 1)
    >>> _ = acc(2.0); _ = acc(3.0)
    >>> float(peek()), float(acc.container[s].storage[0])
    (5.0, 5.0)
    >>> a = gt.dscalar("a")
    >>> counter = g.function([g.In(a, value=g.compile.container.Container(a, [0.0]), update=a + 1)], a)
    >>> [float(counter()) for _ in range(3)]
    [0.0, 1.0, 2.0]
    """

    def __init__(
        self,
        r: Variable | Type,
        storage: list | None,
        strict: bool = False,
        allow_downcast: bool | None = None,
        name: str | None = None,
        *,
        readonly: bool = False,
    ):
        # PyTensor's constructor: ``r`` a variable or its type, ``storage`` a list whose
        # first item is the value (None here: no value yet)
        if storage is not None and not (isinstance(storage, list) and len(storage) >= 1):
            raise TypeError(
                f"Container: storage must be a list of length at least one, got {storage!r}"
            )
        self.type = r.type if isinstance(r, Variable) else r
        if name is None and isinstance(r, Variable):
            name = r.name
        self.strict, self.allow_downcast, self.name = strict, allow_downcast, name
        self.readonly = False
        self.value = None if storage is None else storage[0]
        self.readonly = readonly
        self._cell = StorageCell(self)

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, v: Any) -> None:
        if self.readonly:
            raise TypeError(f"cannot set the value of the read-only container {self.name!r}")
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
