"""The key of an indexing op: a numpy index as a hashable ``idx_list`` plus symbolic inputs.

:func:`parse_key` turns what the user wrote in ``x[key]`` into the
``idx_list`` (the key's structure, an op parameter) and the index inputs (its
values); :func:`assemble` rebuilds the python key from values; and
:func:`result_shape` applies numpy's rules for the result's shape and the
bounds, to static shapes when the graph is built and to the actual shapes
when tracing or running the numpy reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graph2jax.graph.basic import Constant, Variable
from graph2jax.linker.staging import Counted
from graph2jax.ops.elemwise import broadcast_static_shape
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import discrete_dtypes

# Entries of an ``idx_list``, one per item of the key:
#   ("int",)  ("slice", has_start, has_stop, has_step)  ("newaxis",)  ("ellipsis",)
#   ("array",)  ("mask", ndim, static)
# "int", "array", "mask" take one input each, a slice one per bound given.
# The ellipsis stays an entry: even covering no axis, it separates advanced indices.
INT, SLICE, NEWAXIS, ELLIPSIS, ARRAY, MASK = "int", "slice", "newaxis", "ellipsis", "array", "mask"


def n_inputs(entry: tuple) -> int:
    if entry[0] == SLICE:
        return sum(entry[1:])
    return 0 if entry[0] in (NEWAXIS, ELLIPSIS) else 1


def n_axes(entry: tuple) -> int:
    """How many axes of the indexed tensor ``entry`` consumes (the ellipsis: none of its own)."""
    if entry[0] == MASK:
        return entry[1]
    return 0 if entry[0] in (NEWAXIS, ELLIPSIS) else 1


def is_advanced(idx_list: tuple) -> bool:
    return any(e[0] in (ARRAY, MASK) for e in idx_list)


def static_positions(idx_list: tuple, first: int) -> tuple[int, ...]:
    """Input positions (index inputs start at ``first``) whose values decide the output shape."""
    positions, k = [], first
    for e in idx_list:
        if e[0] == SLICE or (e[0] == MASK and e[2]):
            positions.extend(range(k, k + n_inputs(e)))
        k += n_inputs(e)
    return tuple(positions)


def mask_positions(idx_list: tuple, first: int) -> tuple[int, ...]:
    """Input positions of the static masks: only their number of true entries decides the shape."""
    positions, k = [], first
    for e in idx_list:
        if e[0] == MASK and e[2]:
            positions.append(k)
        k += n_inputs(e)
    return tuple(positions)


def expand_counted(idx_list: tuple, values: Sequence[Any]) -> tuple[tuple, list]:
    """The key with each mask of known count (a :class:`~graph2jax.linker.staging.Counted`)
    replaced by its positions, one integer array per axis: numpy's ``x[m] == x[m.nonzero()]``."""
    if not any(isinstance(v, Counted) for v in values):
        return idx_list, list(values)
    new_idx, new_values, it = [], [], iter(values)
    for e in idx_list:
        taken = [next(it) for _ in range(n_inputs(e))]
        if e[0] == MASK and isinstance(taken[0], Counted):
            positions = taken[0].nonzero()
            new_idx.extend([(ARRAY,)] * len(positions))
            new_values.extend(positions)
        else:
            new_idx.append(e)
            new_values.extend(taken)
    return tuple(new_idx), new_values


def describe_idx(idx_list: tuple) -> str:
    parts = []
    for e in idx_list:
        if e[0] == SLICE:
            parts.append(":".join("b" if has else "" for has in e[1:]).rstrip(":") or ":")
        else:
            names = {INT: "i", NEWAXIS: "None", ELLIPSIS: "...", ARRAY: "[int]", MASK: "[bool]"}
            parts.append(names[e[0]])
    return f"[{', '.join(parts)}]"


# ---------------------------------------------------------------------------
# index items: the python index built from ``idx_list`` and input values


def is_known(value: Any) -> bool:
    """Whether an index value is concrete (numpy), not a symbolic variable or a JAX tracer."""
    return isinstance(value, np.ndarray | np.generic | int)


def assemble(idx_list: tuple, values: Sequence[Any]) -> list:
    """The key's items: ints and arrays as given, slices of bounds, None and Ellipsis."""
    it = iter(values)
    items = []
    for e in idx_list:
        if e[0] == SLICE:
            items.append(slice(*[next(it) if has else None for has in e[1:]]))
        elif e[0] in (NEWAXIS, ELLIPSIS):
            items.append(None if e[0] == NEWAXIS else Ellipsis)
        else:
            items.append(next(it))
    return items


def _shape_of(value: Any) -> tuple:
    return value.type.shape if isinstance(value, Variable) else np.shape(value)


def result_shape(idx_list: tuple, items: list, shape: Sequence, where: str) -> tuple:
    """Check ``items`` against ``shape`` (None: unknown length) and return the result's shape.

    Values that are not :func:`is_known` (symbolic, traced) are checked only for
    their shapes. Follows numpy: advanced indices (with the integers among
    them) broadcast together; their dimensions replace the indexed axes when
    they are adjacent in the key, else they come first.
    """
    advanced = is_advanced(idx_list)
    out: list = []
    adv_shapes, adv_at, adv_entries = [], None, []
    axis = 0
    for k, (e, item) in enumerate(zip(idx_list, items, strict=True)):
        kind = e[0]
        if kind == NEWAXIS:
            out.append(1)
            continue
        if kind == ELLIPSIS:
            covered = len(shape) - sum(map(n_axes, idx_list))
            out.extend(shape[axis : axis + covered])
            axis += covered
            continue
        if kind == SLICE:
            out.append(_slice_length(item, shape[axis], axis, where))
            axis += 1
            continue
        if kind == MASK:
            mshape = _shape_of(item)
            for a, (n, m) in enumerate(zip(shape[axis : axis + e[1]], mshape, strict=True)):
                if n is not None and m is not None and n != m:
                    raise IndexError(
                        f"boolean index did not match {where} along axis {axis + a}: the axis "
                        f"has length {n}, the boolean index {m}"
                    )
            count = int(np.count_nonzero(item)) if is_known(item) else None
            item_shape = (count,)
            axis += e[1]
        else:
            _check_in_range(item, shape[axis], axis, where)
            item_shape = _shape_of(item)
            axis += 1
            if kind == INT and not advanced:
                continue
        adv_entries.append(k)
        adv_shapes.append(tuple(item_shape))
        if adv_at is None:
            adv_at = len(out)
    out.extend(shape[axis:])
    if not adv_shapes:
        return tuple(out)
    try:
        adv = broadcast_static_shape(adv_shapes)
    except ValueError:
        raise IndexError(
            f"shape mismatch: the index arrays of {where} cannot be broadcast together "
            f"(shapes {adv_shapes})"
        ) from None
    if adv_entries != list(range(adv_entries[0], adv_entries[-1] + 1)):
        adv_at = 0  # numpy: separated advanced indices put their dimensions first
    return tuple(out[:adv_at]) + adv + tuple(out[adv_at:])


def _slice_length(item: slice, n: int | None, axis: int, where: str) -> int | None:
    bounds = (item.start, item.stop, item.step)
    if is_known(item.step) and int(item.step) == 0:
        raise ValueError(f"slice step cannot be zero (axis {axis} of {where})")
    if n is None or not all(b is None or is_known(b) for b in bounds):
        return None
    return len(range(*slice(*[None if b is None else int(b) for b in bounds]).indices(n)))


def _check_in_range(item: Any, n: int | None, axis: int, where: str) -> None:
    if n is None or not is_known(item) or np.size(item) == 0:
        return
    low, high = int(np.min(item)), int(np.max(item))
    if low < -n or high >= n:
        bad = high if high >= n else low
        raise IndexError(f"index {bad} is out of bounds for axis {axis} of {where} with size {n}")


def runtime_indices(idx_list: tuple, items: list, ndim: int) -> list[tuple[Any, int]]:
    """The integer indices not known while tracing, each with the axis of ``x`` it indexes."""
    found, axis = [], 0
    for e, item in zip(idx_list, items, strict=True):
        if e[0] == ELLIPSIS:
            axis += ndim - sum(map(n_axes, idx_list))
            continue
        if e[0] in (INT, ARRAY) and not is_known(item):
            found.append((item, axis))
        axis += n_axes(e)
    return found


def integer_indices(idx_list: tuple, first: int) -> tuple[tuple[int, int], ...] | None:
    """``(input position, axis)`` of each integer index of a key holding no index array
    and no ``...`` (an op's ``host_indices``; index inputs start at ``first``); else None."""
    found, position, axis = [], first, 0
    for e in idx_list:
        if e[0] in (ARRAY, MASK, ELLIPSIS):
            return None
        if e[0] == INT:
            found.append((position, axis))
        position += n_inputs(e)
        axis += n_axes(e)
    return tuple(found)


def concrete_key(items: list) -> tuple:
    """The key with known scalars as python ints (basic indexing, not a gather)."""
    key = []
    for item in items:
        if isinstance(item, slice):
            item = slice(
                *[None if b is None else int(b) for b in (item.start, item.stop, item.step)]
            )
        elif is_known(item) and np.ndim(item) == 0:
            item = int(item)
        key.append(item)
    return tuple(key)


# ---------------------------------------------------------------------------
# the key given by the user


def _as_integer_scalar(value: Any, x: Variable, what: str) -> Variable:
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{what} of {x.describe()} must be an integer, not a bool")
    if isinstance(value, int | np.integer):
        return constant(int(value), dtype="int64")
    var = as_tensor_variable(value)
    if var.ndim != 0 or var.dtype not in discrete_dtypes or var.dtype == "bool":
        raise TypeError(
            f"{what} of {x.describe()} must be an integer scalar, got {value} of type {var.type}"
        )
    return var


def _parse_item(x: Variable, item: Any) -> tuple[str, Any]:
    if item is Ellipsis:
        return (ELLIPSIS, None)
    if item is None:
        return (NEWAXIS, None)
    if isinstance(item, slice):
        bounds = [
            None if b is None else _as_integer_scalar(b, x, "a slice bound")
            for b in (item.start, item.stop, item.step)
        ]
        return (SLICE, bounds)
    if isinstance(item, bool | np.bool_):
        raise TypeError(f"a boolean scalar cannot index {x.describe()}; use a boolean array")
    if isinstance(item, int | np.integer):
        return (INT, constant(int(item), dtype="int64"))
    try:
        var = as_tensor_variable(item)
    except TypeError as err:
        raise TypeError(f"cannot index {x.describe()} with {item!r}: {err}") from None
    if var.dtype == "bool":
        if var.ndim == 0:
            raise TypeError(f"a boolean scalar cannot index {x.describe()}; use a boolean array")
        return (MASK, var)
    if var.dtype not in discrete_dtypes:
        raise TypeError(
            f"cannot index {x.describe()} with {item} of dtype {var.dtype}: indices must be "
            "integers, slices, None, Ellipsis, integer arrays or boolean masks"
        )
    return (INT if var.ndim == 0 else ARRAY, var)


def _mask_is_static(mask: Variable) -> bool:
    """A mask decides the result's shape: static (a computed one is staged by the linker)."""
    return not isinstance(mask, Constant)


def parse_key(x: Variable, key: Any) -> tuple[tuple, list[Variable]]:
    """The ``idx_list`` and the index inputs of ``x[key]``."""
    items = [_parse_item(x, k) for k in (key if isinstance(key, tuple) else (key,))]
    if sum(kind == ELLIPSIS for kind, _ in items) > 1:
        raise IndexError(f"an index of {x.describe()} can only have a single ellipsis ('...')")
    used = sum(
        v.ndim if kind == MASK else 1 for kind, v in items if kind not in (ELLIPSIS, NEWAXIS)
    )
    if used > x.ndim:
        raise IndexError(
            f"too many indices for {x.describe()}: it is {x.ndim}-dimensional, "
            f"but {used} were indexed"
        )
    idx_list, inputs = [], []
    for kind, value in items:
        if kind in (ELLIPSIS, NEWAXIS):
            idx_list.append((kind,))
        elif kind == SLICE:
            idx_list.append((SLICE, *(b is not None for b in value)))
            inputs.extend(b for b in value if b is not None)
        elif kind == MASK:
            idx_list.append((MASK, value.ndim, _mask_is_static(value)))
            inputs.append(value)
        else:
            idx_list.append((kind,))
            inputs.append(value)
    return tuple(idx_list), inputs


def build_values(inputs: Sequence[Variable]) -> list:
    """Index values as known when the graph is built: constants' data, else the variable."""
    return [v.data if isinstance(v, Constant) else v for v in inputs]


def mask_only(idx_list: tuple) -> bool:
    """Whether the key is one boolean mask (set/inc can then take a computed mask)."""
    return len(idx_list) == 1 and idx_list[0][0] == MASK
