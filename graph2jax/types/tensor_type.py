"""``TensorType`` and the variable constructors (``dscalar``, ``fmatrix``, ``tensor`` ...)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import Type, Variable
from graph2jax.types import _ops

#: dtypes a tensor may have, as PyTensor (float16 and bfloat16 are left out)
ALL_DTYPES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
)  # fmt: skip
int_dtypes = ("int8", "int16", "int32", "int64")
uint_dtypes = ("uint8", "uint16", "uint32", "uint64")
discrete_dtypes = ("bool", *int_dtypes, *uint_dtypes)
float_dtypes = ("float32", "float64")
complex_dtypes = ("complex64", "complex128")
continuous_dtypes = float_dtypes + complex_dtypes


def dtype_name(dtype: Any) -> str:
    """The numpy name of ``dtype``; ``'floatX'`` is ``config.floatX``, as everywhere in PyTensor.

    Examples
    --------
    >>> from graph2jax.types.tensor_type import dtype_name
    >>> import numpy as np
    >>> dtype_name(np.int32), dtype_name("floatX")
    ('int32', 'float64')
    """
    return config.floatX if isinstance(dtype, str) and dtype == "floatX" else str(np.dtype(dtype))


def _is_python_float(data: Any) -> bool:
    # a python or numpy float scalar (PyTensor's floatX literal rule)
    return isinstance(data, builtins.float | np.floating)


def _uses_buffer(array: jax.Array, value: np.ndarray) -> bool:
    """Whether a shard of the device array ``array`` is a view of the numpy array ``value``'s memory."""
    if value.size == 0:
        return False
    start, end = value.ctypes.data, value.ctypes.data + value.nbytes
    return any(
        shard.device.platform == "cpu" and start <= shard.data.unsafe_buffer_pointer() < end
        for shard in array.addressable_shards
    )


def _is_device_array(data: Any) -> bool:
    return type(data).__module__.startswith("jax") and hasattr(data, "dtype")


class TensorType(Type):
    """The type of an n-dimensional array: a dtype and a static shape.

    Parameters
    ----------
    dtype : str or numpy dtype
        One of numpy's dtypes (``'floatX'`` means ``config.floatX``).
    shape : sequence of int or None
        The static shape; ``None`` marks a length unknown until run time. A
        length of 1 broadcasts, as in PyTensor.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.TensorType("float32", shape=(None, 3))
    TensorType(float32, shape=(None, 3))
    """

    def __init__(
        self,
        dtype: Any,
        shape: Sequence[int | None] | None = None,
        name: str | None = None,
        broadcastable: Sequence[bool] | None = None,
    ):
        dtype = dtype_name(dtype)
        if dtype not in ALL_DTYPES:
            raise TypeError(f"TensorType does not support dtype {dtype!r}; supported: {ALL_DTYPES}")
        if shape is None and broadcastable is not None:
            shape = tuple(1 if b else None for b in broadcastable)
        if shape is None:
            raise TypeError("TensorType needs a shape (use None for unknown lengths)")
        shape = tuple(None if s is None else int(s) for s in shape)
        if any(s is not None and s < 0 for s in shape):
            raise ValueError(f"TensorType shape entries must be >= 0 or None, got {shape}")
        self.dtype = dtype
        self.shape = shape
        self.name = name

    def __call__(
        self,
        name: str | None = None,
        *,
        shape: Sequence[int | None] | None = None,
        dtype: Any = None,
    ) -> Variable:
        """A new variable of this type.

        ``shape`` (an extension to PyTensor) refines the unknown lengths:
        ``dvector("x", shape=(3,))``. ``dtype`` must be this type's own.
        """
        if dtype is not None and dtype_name(dtype) != self.dtype:
            raise TypeError(f"{self} fixes the dtype {self.dtype}; use tensor(dtype=...) instead")
        if shape is None:
            return self.make_variable(name)
        if len(shape) != self.ndim:
            raise ValueError(f"{self} has {self.ndim} dimensions, got shape {tuple(shape)}")
        if any(
            s is not None and t is not None and s != t
            for s, t in zip(shape, self.shape, strict=True)
        ):
            raise ValueError(
                f"{self} needs a shape compatible with {self.shape}, got {tuple(shape)}"
            )
        merged = tuple(s if s is not None else t for s, t in zip(shape, self.shape, strict=True))
        return TensorType(self.dtype, merged).make_variable(name)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(s == 1 for s in self.shape)

    @property
    def numpy_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    def clone(self, dtype: Any = None, shape: Sequence[int | None] | None = None) -> TensorType:
        """This type with another dtype and/or shape."""
        return TensorType(
            self.dtype if dtype is None else dtype, self.shape if shape is None else shape
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.dtype == self.dtype and other.shape == self.shape

    def __hash__(self) -> int:
        return hash((type(self), self.dtype, self.shape))

    def __repr__(self) -> str:
        return f"TensorType({self.dtype}, shape={self.shape})"

    __str__ = __repr__

    def is_super(self, other: Type) -> bool:
        """Whether every value of ``other`` is a value of this type."""
        return (
            isinstance(other, TensorType)
            and other.dtype == self.dtype
            and other.ndim == self.ndim
            and all(s is None or s == o for s, o in zip(self.shape, other.shape, strict=True))
        )

    def convert_variable(self, var: Variable) -> Variable | None:
        if var.type == self:
            return var
        if self.is_super(var.type):
            return var  # a more precise static shape is still a value of this type
        if isinstance(var.type, TensorType) and var.type.is_super(self):
            return _ops().specify_shape(var, self.shape)
        return None

    def make_constant(self, value: Any) -> Variable:
        """A constant of ``value`` with this type's dtype (its shape is the value's)."""
        # as_tensor builds on this module, so it is imported when first needed
        from graph2jax.types.as_tensor import as_tensor_variable

        return as_tensor_variable(value, dtype=self.dtype)

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        """Return ``data`` as an array of this type, or raise ``TypeError``.

        The rules are PyTensor's ``TensorType.filter``. A device (JAX) array
        stays on the device; anything else becomes a numpy array.
        ``strict=True`` accepts only arrays of exactly this dtype. Otherwise:
        with ``allow_downcast=True`` any value is cast (numpy's wrap-around
        for integers); an array is cast when its dtype upcasts to this one; a
        python or numpy float becomes ``floatX`` (``allow_downcast=None``);
        other python data (ints, lists) is converted when the conversion loses
        nothing.

        Raises
        ------
        TypeError
            A symbolic variable, a lossy cast, or the wrong number of dimensions.
        OverflowError
            A python int that this dtype cannot represent (numpy's conversion).
        """
        if isinstance(data, Variable):
            raise TypeError(
                f"{self} expected an array-like object, but found a Variable ({data}): maybe "
                "you are calling a function on a (possibly shared) variable instead of an array?"
            )
        if (_is_device_array(data) or isinstance(data, np.ndarray)) and str(
            data.dtype
        ) == self.dtype:
            arr = data
        elif strict:
            raise TypeError(
                f"{self} expected an array of dtype {self.dtype} (strict=True), got "
                f"{type(data).__name__} {data!r}"
            )
        else:
            arr = self._cast(data, allow_downcast)
        if arr.ndim != self.ndim:
            raise TypeError(
                f"wrong number of dimensions: expected {self.ndim} ({self}), got {arr.ndim} "
                f"with shape {tuple(arr.shape)}"
            )
        if any(s is not None and s != d for s, d in zip(self.shape, arr.shape, strict=True)):
            raise TypeError(
                f"the type's shape {self.shape} does not match the value's {tuple(arr.shape)}"
            )
        return arr

    def _cast(self, data: Any, allow_downcast: bool | None) -> Any:
        target = self.numpy_dtype
        is_array = _is_device_array(data) or isinstance(data, np.ndarray)
        if allow_downcast:
            return data.astype(target) if is_array else np.asarray(data).astype(target)
        if is_array:
            if np.result_type(target, data.dtype) == target:
                return data.astype(target)
            raise TypeError(
                f"{self} cannot hold a value of dtype {data.dtype} without losing precision; "
                f"cast the value to {self.dtype} or pass allow_input_downcast=True to function()"
            )
        if allow_downcast is None and self.dtype == config.floatX and _is_python_float(data):
            return np.asarray(data, dtype=target)
        # python and numpy scalars, lists: converted when nothing is lost; numpy
        # raises OverflowError for a python int out of the dtype's range
        converted = np.asarray(data, dtype=target)
        original = np.asarray(data)
        with np.errstate(all="ignore"):
            same = original.shape == converted.shape and np.array_equal(
                original, converted, equal_nan=original.dtype.kind in "fc"
            )
        if not same:
            raise TypeError(
                f"{self} cannot store {data!r} exactly (it would become {converted!r}); cast "
                f"it to {self.dtype} or pass allow_input_downcast=True to function()"
            )
        return converted

    def value_zeros(self, shape: Sequence[int]) -> np.ndarray:
        return np.zeros(shape, dtype=self.dtype)

    # -- values crossing layers: numpy on the host, jax.Array on config.device -----------
    def to_device(self, value: Any, placement: Any = None) -> jax.Array:
        """A new device array with ``value``'s contents, placed by ``placement``.

        ``placement`` is a ``jax.Device`` or a ``jax.sharding.Sharding``
        (each device gets its shard); None is ``config.device``.

        Examples
        --------
        >>> import numpy as np, graph2jax.tensor as gt
        >>> gt.dvector().type.to_device(np.ones(2))
        Array([1., 1.], dtype=float64)
        """
        where = placement if placement is not None else config.placement()
        if _is_device_array(value):
            return jax.device_put(value, where, may_alias=False)
        if isinstance(value, np.ndarray):
            # one copy, made by the transfer (jnp.array would copy on the host first); a
            # CPU transfer may use the numpy buffer itself (JAX ignores may_alias=False
            # then): that array is copied on the device
            array = jax.device_put(value, where)
            if _uses_buffer(array, value):
                array = jax.device_put(array, may_alias=False)
            # the transfer reads the caller's array asynchronously: done before the caller
            # may write into it (and the first call does not wait for it)
            return array.block_until_ready()
        return jnp.array(value, copy=True, device=where)

    def adopt(self, value: Any) -> jax.Array:
        """A device array of ``value``, using its memory where JAX can (no copy).

        On a CPU, JAX uses a numpy array's own buffer when it is aligned to 64
        bytes (otherwise, and on other devices, the array is copied). The
        numpy array then shares memory with the device array: writing into
        it changes the value (``shared(..., borrow=True)``'s contract). JAX's
        CPU client never writes into a buffer it does not own: a donating
        update of the value goes to a new buffer and leaves the numpy array
        as it was (docs/performance.rst).
        """
        if isinstance(value, np.ndarray):
            return jax.device_put(value, config.placement(), may_alias=True).block_until_ready()
        return self.to_device(value)

    def to_host(self, value: Any, borrow: bool = False) -> np.ndarray:
        """``value`` as a numpy array; ``borrow=True`` may share memory with a device array.

        A sharded array is gathered whole. An array spread over several
        processes (``jax.distributed``) is gathered from all of them: every
        process must make the same call (a collective).
        """
        if isinstance(value, jax.Array) and not value.is_fully_addressable:
            from jax.experimental import multihost_utils

            return np.asarray(multihost_utils.process_allgather(value, tiled=True))
        return np.asarray(value) if borrow else np.array(value, copy=True)

    def to_pickle(self, value: Any) -> Any:
        """A device array as a numpy array; other values unchanged."""
        return np.asarray(value) if isinstance(value, jax.Array) else value

    def from_pickle(self, data: Any) -> Any:
        """A pickled numpy array back on the device (``config.device``)."""
        return (
            jnp.asarray(data, device=config.placement()) if isinstance(data, np.ndarray) else data
        )

    @staticmethod
    def values_eq(a: Any, b: Any) -> bool:
        """Exact equality of two values (NaNs in the same places count as equal)."""
        a, b = np.asarray(a), np.asarray(b)
        return (
            a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )

    @staticmethod
    def values_eq_approx(
        a: Any, b: Any, rtol: float | None = None, atol: float | None = None
    ) -> bool:
        """Equality up to float tolerance (looser for float32)."""
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind not in "fc":
            return bool(np.array_equal(a, b))
        low = a.dtype in (np.float32, np.complex64)
        return bool(
            np.allclose(
                a,
                b,
                rtol=rtol or (1e-4 if low else 1e-7),
                atol=atol or (1e-5 if low else 1e-10),
                equal_nan=True,
            )
        )


# TensorVariable is attached by graph2jax.types.variable (which imports this module).

# ---------------------------------------------------------------------------
# constructors

_PREFIX_DTYPES = {
    "b": "int8", "w": "int16", "i": "int32", "l": "int64",
    "f": "float32", "d": "float64", "c": "complex64", "z": "complex128",
}  # fmt: skip
_KIND_SHAPES = {
    "scalar": (), "vector": (None,), "matrix": (None, None), "row": (1, None),
    "col": (None, 1), "tensor3": (None,) * 3, "tensor4": (None,) * 4,
    "tensor5": (None,) * 5, "tensor6": (None,) * 6, "tensor7": (None,) * 7,
}  # fmt: skip
_PLURALS = {
    "scalar": "scalars",
    "vector": "vectors",
    "matrix": "matrices",
    "row": "rows",
    "col": "cols",
    "tensor3": "tensor3s",
    "tensor4": "tensor4s",
    "tensor5": "tensor5s",
    "tensor6": "tensor6s",
    "tensor7": "tensor7s",
}


def tensor(
    *args: Any,
    shape: Sequence[int | None] | None = None,
    name: str | None = None,
    dtype: Any = None,
    broadcastable: Sequence[bool] | None = None,
) -> Variable:
    """A new symbolic tensor of the given dtype (default floatX) and static shape.

    Called as ``tensor(dtype, shape, name)``; as in PyTensor, the name may
    also come first: ``tensor("x", dtype="float32", shape=(2,))``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> x = gt.tensor("float32", shape=(None, 3), name="x")
    >>> x.type
    TensorType(float32, shape=(None, 3))
    """
    args = list(args)
    # Only a full dtype name counts as one: "b" or "f" is a variable's name, as
    # in PyTensor (whose first positional argument is always the name).
    if args and isinstance(args[0], str) and args[0] != "floatX" and args[0] not in ALL_DTYPES:
        name = args.pop(0)
    for value, key in zip(args, ("dtype", "shape", "name"), strict=False):
        if key == "dtype":
            dtype = value
        elif key == "shape":
            shape = value
        else:
            name = value
    if len(args) > 3:
        raise TypeError(f"tensor() takes at most 3 positional arguments, got {len(args)}")
    if broadcastable is not None:
        shape = tuple(1 if b else None for b in broadcastable)
    if shape is None:
        raise TypeError("tensor() needs a shape: a tuple of lengths, None for unknown ones")
    return TensorType(dtype or config.floatX, shape)(name)


def _make_constructor(kind: str) -> Any:
    static = _KIND_SHAPES[kind]

    def constructor(name: str | None = None, *, dtype: Any = None, shape: Any = None) -> Variable:
        return TensorType(dtype or config.floatX, static)(name, shape=shape)

    constructor.__name__ = constructor.__qualname__ = kind
    constructor.__doc__ = (
        f"A symbolic {kind} of dtype ``dtype`` (default floatX), static shape {static}.\n\n"
        "Parameters\n----------\nname : str, optional\n"
    )
    return constructor


def _make_plural(single: Any) -> Any:
    # As PyTensor: an int gives that many unnamed variables, a single string is
    # one name per character (``scalars('abc')``), several strings one name each.
    def plural(*names: Any, **kwargs: Any) -> Variable | list[Variable]:
        if names and isinstance(names[0], int):
            return [single(**kwargs) for _ in range(names[0])]
        if len(names) == 1:
            names = names[0]
            # an extension: "a, b" names two variables
            if "," in names:
                names = [n.strip() for n in names.split(",")]
        if len(names) == 1:
            return single(names, **kwargs)
        return [single(n, **kwargs) for n in names]

    plural.__doc__ = f"Several {single}s at once: ``{single}s('a', 'b')``, ``{single}s('ab')`` or ``{single}s(2)``."
    return plural


# As in PyTensor, the prefixed constructors are TensorType instances
# (``pt.dscalar("x").type is pt.dscalar``) and the generic ones are functions.
_constructors: dict[str, Any] = {}
for _kind, _static in _KIND_SHAPES.items():
    _constructors[_kind] = _make_constructor(_kind)
    for _prefix, _dtype in _PREFIX_DTYPES.items():
        _constructors[_prefix + _kind] = TensorType(_dtype, _static)
    for _prefix in ("", *_PREFIX_DTYPES):
        _plural = _make_plural(_constructors[_prefix + _kind])
        _plural.__name__ = _plural.__qualname__ = _prefix + _PLURALS[_kind]
        _constructors[_plural.__name__] = _plural
globals().update(_constructors)

__all__ = ["TensorType", "tensor", *_constructors]
