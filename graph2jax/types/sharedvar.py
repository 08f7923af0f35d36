"""Shared variables: named, stateful values that compiled functions read and update.

A shared variable's value lives on the device as a ``jax.Array``. Functions
take it as an implicit argument and write their ``updates`` back after each
call, donating the old buffers to XLA so an update needs no second copy of
the value. A buffer the user still holds is never donated (see
:class:`SharedVariable`): the user's arrays never become deleted buffers.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.graph.basic import Type, Variable
from graph2jax.types.placement import as_sharding, check_divides, is_placed
from graph2jax.types.tensor_type import TensorType
from graph2jax.types.variable import _TensorOperators

_creation_order = itertools.count()


def creation_mark() -> int:
    """A number below the ``sort_key`` of every shared variable created from now on."""
    return next(_creation_order)


class SharedVariable(Variable):
    """A variable whose value is stored with it and shared by every function that uses it.

    Attributes
    ----------
    default_update : Variable or None
        An expression used as this variable's update by every function that
        reads it and gives it no explicit update (unless ``no_default_updates``).
    strict, allow_downcast : bool, bool or None
        The casts ``set_value`` may make (see :meth:`set_value`).
    sharding : jax.sharding.Sharding or None
        Where the value lives: the sharding given to :func:`shared`, or the
        device of the last function compiled with it; None: ``config.device``.

    Notes
    -----
    The borrowed-buffer rule: a call updating the variable donates its
    buffer unless the ``jax.Array`` is referenced outside the variable (the
    user kept the result of ``get_value(borrow=True, return_internal_type=True)``,
    of an ``Out(borrow=True)`` or the array given to ``set_value(v, borrow=True)``):
    then XLA gets a copy, and the user's array stays valid with unchanged
    contents. Numpy views (``get_value(borrow=True)``) are protected by JAX
    itself, which never frees a buffer that has external references. So
    steady-state updates keep one copy of the value, and a borrowed value
    never becomes a deleted buffer.
    """

    def __init__(
        self,
        type: Type,
        value: Any,
        strict: bool = False,
        allow_downcast: bool | None = None,
        name: str | None = None,
        borrow: bool = False,
        sharding: Any = None,
    ):
        super().__init__(type, None, None, name)
        self._storage = _Storage(type)
        self.default_update: Variable | None = None
        self.strict, self.allow_downcast = strict, allow_downcast
        if sharding is not None:
            self._storage.placement = as_sharding(
                sharding, f"shared variable {self.describe()}", getattr(type, "ndim", None)
            )
            self._storage.pinned = True
        self.set_value(value, borrow=borrow)

    # values: kept in a storage shared with this variable's clones ---------
    @property
    def lock(self) -> threading.RLock:
        return self._storage.lock

    @property
    def sort_key(self) -> int:
        """The order in which calls take the locks of the variables they update."""
        return self._storage.sort_key

    @property
    def _value(self) -> Any:
        return self._storage.value

    @property
    def sharding(self) -> Any:
        return self._storage.placement

    @property
    def pinned(self) -> bool:
        """Whether the user gave the sharding (a function places no pinned value itself)."""
        return self._storage.pinned

    def place(self, placement: Any) -> None:
        """Keep the value on ``placement`` (a ``jax.sharding.Sharding``) from now on: moved once, now.

        A function compiled with this variable calls it for an unpinned one,
        so the value lives where the function runs and ``set_value`` puts
        later values there too.
        """
        storage = self._storage
        with storage.lock:
            storage.placement = placement
            value = storage.value
            if isinstance(value, jax.Array) and not is_placed(value, placement):
                self._write(jax.device_put(value, placement))

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> Any:
        """The current value.

        Parameters
        ----------
        borrow : bool
            False (default): a numpy copy the caller owns. True: may share
            memory with the internal buffer; it stays valid after later
            updates (see the borrowed-buffer rule above).
        return_internal_type : bool
            True with ``borrow=True``: the internal ``jax.Array`` itself.
        """
        storage = self._storage
        with storage.lock:
            value = storage.value
            if borrow and return_internal_type:
                return value
            if not borrow:
                return self.type.to_host(value)
            # as PyTensor, repeated borrowed reads of an unchanged value give one object;
            # the cache is weak, so it never keeps a view (and its buffer) alive itself
            view = storage.view() if storage.view is not None else None
            if view is None:
                view = self.type.to_host(value, borrow=True)
                storage.view = _weak(view)
            return view

    def get_test_value(self) -> Any:
        """A shared variable's test value is its current value (PyTensor 2.x)."""
        return self.get_value(borrow=True)

    def set_value(self, new_value: Any, borrow: bool = False) -> None:
        """Replace the value, checked and cast to this variable's type.

        The variable's ``strict`` and ``allow_downcast`` (given to
        :func:`shared`) decide which casts are allowed: with ``strict=True``
        the value must have exactly the dtype; otherwise a lossless cast is
        made, and a lossy one only with ``allow_downcast=True``. With
        ``borrow=True`` a device array is kept as it is (no copy; while the
        caller holds it, updates copy rather than donate it) and a numpy
        array's buffer is used where the device can (:meth:`Type.adopt`); with
        ``borrow=False`` the variable keeps its own copy.

        Raises
        ------
        TypeError
            A value of the wrong number of dimensions or a cast not allowed.
        ValueError
            A value whose shape the variable's sharding does not divide.

        Notes
        -----
        A sharded variable keeps its sharding: the new value is split the same way.
        """
        try:
            value = self.type.filter(new_value, self.strict, self.allow_downcast)
        except TypeError as err:
            raise TypeError(f"set_value of shared variable {self.describe()}: {err}") from None
        placement = self._storage.placement
        if placement is not None and hasattr(value, "shape"):
            check_divides(placement, value.shape, f"shared variable {self.describe()}")
        if borrow and value is new_value and isinstance(value, np.ndarray) and placement is None:
            value = self.type.adopt(value)  # the caller's buffer where the device can use it
        elif isinstance(value, np.ndarray | np.generic) or (value is new_value and not borrow):
            # a new device buffer or, for a generic value, a deep copy: the caller's object
            # is aliased only when borrowed and already in the type's internal form (a value
            # the filter made anew, such as a key from a numpy Generator, is already ours)
            value = self.type.to_device(value, placement)
        elif (
            placement is not None
            and isinstance(value, jax.Array)
            and not is_placed(value, placement)
        ):
            value = jax.device_put(value, placement)  # a borrowed array: re-sharded, not copied
        with self._storage.lock:
            self._write(value)

    def _write(self, value: Any) -> None:
        """Store a fresh value (a function's update: the shell holds ``lock``)."""
        self._storage.value = value
        self._storage.view = None

    @property
    def value(self) -> Any:
        return self.get_value()

    @value.setter
    def value(self, v: Any) -> None:
        self.set_value(v)

    @property
    def container(self) -> SharedVariable:
        """PyTensor's ``container``: the variable itself, whose ``storage`` holds its value."""
        return self

    @property
    def storage(self) -> StorageCell:
        """PyTensor's ``container.storage``: ``storage[0]`` is the value (borrowed, as
        ``get_value(borrow=True)``); assigning ``storage[0]`` sets it."""
        return StorageCell(self)

    def storage_read(self) -> Any:
        """``storage[0]``: the value, borrowed."""
        return self.get_value(borrow=True)

    def storage_write(self, value: Any) -> None:
        """``storage[0] = value``."""
        self.set_value(value)

    def clone(self, **kwargs: Any) -> SharedVariable:
        """A new variable sharing this one's storage (as PyTensor's ``clone``)."""
        cp = super().clone(**kwargs)
        cp.__dict__.pop("_eval_cache", None)
        return cp

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_eval_cache", None)
        return state


class StorageCell(list):
    """PyTensor's one-item ``storage`` list of a container or shared variable, read live.

    ``cell[0]`` reads the owner's value (``owner.storage_read()``) and
    ``cell[0] = v`` writes it (``owner.storage_write(v)``), so code written
    against PyTensor's storage lists works.
    """

    def __init__(self, owner: Any):
        super().__init__([None])
        self._owner = owner

    def __getitem__(self, index: Any) -> Any:
        self._check(index)
        return self._owner.storage_read()

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check(index)
        self._owner.storage_write(value)

    def __iter__(self) -> Any:
        return iter([self._owner.storage_read()])

    def __repr__(self) -> str:
        return repr([self._owner.storage_read()])

    @staticmethod
    def _check(index: Any) -> None:
        if index not in (0, -1):
            raise IndexError(f"a storage list has one item, got index {index!r}")


class _Storage:
    """The value of a shared variable and its clones, with the lock guarding it.

    Pickled as its type and its value in the type's picklable form (a numpy
    array for a tensor); variables pickled together keep sharing one storage.
    """

    __slots__ = ("type", "value", "lock", "sort_key", "view", "placement", "pinned")

    def __init__(self, type: Type, value: Any = None):
        self.type, self.value = type, value
        self.placement: Any = None  # a jax.sharding.Sharding, None: config.device
        self.pinned = False  # the placement is the user's (shared(sharding=...))
        self.view: weakref.ref | None = None  # the last borrowed host view of ``value``
        self.lock = threading.RLock()
        self.sort_key = next(_creation_order)

    def __reduce__(self) -> tuple:
        with self.lock:
            return _restore_storage, (self.type, self.type.to_pickle(self.value))


def _weak(view: Any) -> Callable[[], Any]:
    """A weak reference to ``view``, or a strong one for objects that take no weak reference."""
    try:
        return weakref.ref(view)
    except TypeError:  # a python scalar or string held by a generic variable
        return lambda: view


def _restore_storage(type: Type, data: Any) -> _Storage:
    return _Storage(type, type.from_pickle(data))


class TensorSharedVariable(_TensorOperators, SharedVariable):
    """A shared variable holding an array; usable like any tensor variable."""


_constructors: list[Callable[..., SharedVariable | None]] = []


def shared_constructor(
    fn: Callable[..., SharedVariable | None],
) -> Callable[..., SharedVariable | None]:
    """Register ``fn(value, name, strict, allow_downcast, borrow, **kw)`` as a way to build a shared variable.

    ``fn`` returns None (or raises TypeError) for values it does not handle;
    later registrations are tried first (random generators register this way).
    """
    _constructors.insert(0, fn)
    return fn


def shared(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    shape: Sequence[int | None] | None = None,
    **kwargs: Any,
) -> SharedVariable:
    """A shared variable initialised with ``value``.

    Parameters
    ----------
    value : array-like, python or numpy scalar
    name : str, optional
    strict : bool
        Later ``set_value`` calls must give exactly this dtype.
    allow_downcast : bool, optional
    borrow : bool
        Keep ``value`` itself instead of a copy: always for a device array;
        for a numpy array where JAX can use its buffer (on a CPU, aligned to
        64 bytes), else it is copied to the device.
    shape : tuple of int or None, optional
        The static shape. By default every length is unknown, so
        ``set_value`` may change the shape.
    sharding : jax.sharding.Sharding, optional
        Where the value lives, split over devices (see :mod:`graph2jax.sharding`);
        functions reading the variable take and return it with this sharding.
        Default: the device of the functions compiled with it.

    Raises
    ------
    ValueError
        A sharding that does not divide the value's shape, or whose
        ``PartitionSpec`` names an axis its mesh lacks.

    Examples
    --------
    >>> import numpy as np, graph2jax as g
    >>> W = g.shared(np.zeros((2, 3)), name="W")
    >>> W.type
    TensorType(float64, shape=(None, None))
    >>> W.get_value().shape
    (2, 3)
    """
    if isinstance(value, Variable):
        raise TypeError(
            f"shared() takes a value, not a symbolic variable ({value}); "
            "use the variable directly or .eval() it first"
        )
    if kwargs.get("sharding") is not None:  # refused here, not taken for "no constructor fits"
        as_sharding(kwargs["sharding"], f"shared({name or ''})", None)
    for ctor in _constructors:
        try:
            var = ctor(
                value,
                name=name,
                strict=strict,
                allow_downcast=allow_downcast,
                borrow=borrow,
                shape=shape,
                **kwargs,
            )
        except TypeError:
            continue
        if var is not None:
            return var
    # PyTensor's fallback, tried after every registered constructor: any python object
    return generic_constructor(value, name, strict, allow_downcast, borrow, shape=shape, **kwargs)


class GenericType(Type):
    """The type of a shared variable holding any python object (PyTensor's ``generic``).

    Its values are kept as they are: ``filter`` accepts anything, and reads and
    writes without ``borrow`` deep-copy (the base :class:`~graph2jax.graph.basic.Type` hooks).

    Examples
    --------
    >>> import graph2jax as g
    >>> g.shared({"a": 1}).get_value()
    {'a': 1}
    """

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        return data

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return "GenericType()"

    __str__ = __repr__


GenericType.variable_type = Variable
#: the one generic type, as PyTensor's ``generic``
generic = GenericType()


def generic_constructor(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    **kwargs: Any,
) -> SharedVariable:
    """A shared variable of :data:`generic` type holding ``value`` (``shared``'s last resort).

    Raises
    ------
    TypeError
        For keyword arguments only a typed constructor takes (``shape=...``), as PyTensor.
    """
    extra = {k: v for k, v in kwargs.items() if not (k in ("shape", "sharding") and v is None)}
    if extra:
        raise TypeError(
            f"no shared variable type accepts {type(value).__name__} {value!r} with the "
            f"arguments {sorted(extra)}"
        )
    return SharedVariable(
        generic, value, strict=strict, allow_downcast=allow_downcast, name=name, borrow=borrow
    )


@shared_constructor
def tensor_constructor(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    shape: Sequence[int | None] | None = None,
    sharding: Any = None,
) -> TensorSharedVariable | None:
    """Shared variables for numpy/JAX arrays and python or numpy scalars."""
    if not isinstance(value, np.ndarray | np.generic | jax.Array | bool | int | float | complex):
        return None
    if not isinstance(value, np.ndarray | jax.Array):
        # a python or numpy scalar: a 0-d array of its dtype (PyTensor's scalar_constructor),
        # so strict=True accepts np.int64(7) as an int64 scalar
        value = np.asarray(value)
    dtype = str(value.dtype)
    ndim = value.ndim
    static = tuple(shape) if shape is not None else (None,) * ndim
    if len(static) != ndim:
        raise ValueError(f"shared(): shape {shape} has {len(static)} dimensions, the value {ndim}")
    return TensorSharedVariable(
        TensorType(dtype, static),
        value,
        strict=strict,
        allow_downcast=allow_downcast,
        name=name,
        borrow=borrow,
        sharding=sharding,
    )
