"""Indexing: ``x[key]``, ``set_subtensor``, ``inc_subtensor`` and ``take``.

One op reads (:class:`Subtensor`) and one writes (:class:`IncSubtensor`, a
set or an increment) any numpy index: integers, slices, ``None``, ``...``,
integer arrays and boolean masks. :class:`AdvancedSubtensor` and
:class:`AdvancedIncSubtensor` are the same ops under PyTensor's names, used
when the index holds an array or a mask. The index's structure is the op's
``idx_list`` (hashable); its values (indices, slice bounds, masks) are inputs
(:mod:`graph2jax.ops.subtensor_key` parses keys and applies numpy's shape rules).

Shapes under JAX
    A symbolic integer index never changes the result's shape: it stays a
    run-time value. Slice bounds decide the result's length, so they are
    static inputs (a function recompiles per distinct value of an input they
    come from; bounds built from ``x.shape`` cost nothing; bounds computed
    from an array's values are computed by a first stage,
    :mod:`graph2jax.linker.staging`). A boolean mask decides the length too:
    a constant mask is folded; a mask that is an input of the function or is
    computed from values selects a ragged value of the mask's size (one
    compilation per input shape, :mod:`graph2jax.linker.ragged`), or, where
    an op downstream has no ragged rule, is static (an input: one compilation
    per mask) or counted by a first stage (one compilation per number of true
    entries). Inside an inner graph (a
    scan body) a computed mask is refused, naming the op, except by
    ``set_subtensor``/``inc_subtensor`` when the mask is the whole index
    (the output's shape does not depend on it): a ``y`` broadcast along the
    selected elements is written with ``where``; a ``y`` with one value per
    selected element is scattered to the mask's first ``len(y)`` true
    positions, and a count that differs from ``len(y)`` is not detected
    under JAX (numpy raises ``ValueError``).

Out-of-range indices (PyTensor raises ``IndexError``)
    - known when the graph is built (python ints, constant arrays) on an
      axis of static length: ``IndexError`` at graph build;
    - known when compiling (static inputs, values folded from shapes):
      ``IndexError`` at the first call, while tracing;
    - run-time (dynamic) indices: ``IndexError`` after the call, before any
      shared variable is written back (:mod:`graph2jax.linker.checks`); the
      ``NUMPY`` mode raises numpy's. With ``config.check_index_bounds`` off
      (or ``Mode(check_index_bounds=False)``), JAX's behaviour: a read clamps
      the index into range, ``set_subtensor``/``inc_subtensor`` drop the
      out-of-range updates. Indices inside an inner graph (a ``scan`` step,
      an ``ifelse`` branch) are checked the same way.

Repeated indices
    ``inc_subtensor`` accumulates every occurrence (``np.add.at``).
    ``set_subtensor`` writes one of the values: numpy keeps the last; XLA does
    not specify which (the last on CPU).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker import checks
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.staging import Counted
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.elemwise import cast, dimshuffle, unbroadcast
from graph2jax.ops.math import clip, mod, switch
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import Shape
from graph2jax.ops.shape import shape as shape_of
from graph2jax.ops.subtensor_key import (
    ARRAY,
    INT,
    MASK,
    SLICE,
    assemble,
    build_values,
    concrete_key,
    describe_idx,
    expand_counted,
    integer_indices,
    is_advanced,
    is_known,
    mask_only,
    mask_positions,
    n_inputs,
    parse_key,
    result_shape,
    runtime_indices,
    static_positions,
)
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, continuous_dtypes, int_dtypes
from graph2jax.types.variable import TensorVariable


def _require_known(node: Apply, values: Sequence[Any], writes: bool) -> None:
    """Slice bounds and masks must be concrete when tracing; say which input is not.

    ``writes``: set/inc take a computed mask that is the whole key (with a ``where``).
    """
    op, idx_list = node.op, node.op.idx_list
    first = len(node.inputs) - len(values)
    k = 0
    for e in idx_list:
        needed = e[0] == SLICE or (e[0] == MASK and not (writes and mask_only(idx_list)))
        end = k + n_inputs(e)
        for value, var in zip(values[k:end], node.inputs[first + k : first + end], strict=True):
            if needed and not is_known(value) and not isinstance(value, Counted):
                what = "boolean mask" if e[0] == MASK else "slice bound"
                raise TypeError(
                    f"{op}: the {what} {var.describe()} is computed from values known only "
                    "while an inner graph runs (a scan body, a vectorized core), so the "
                    "result's shape is unknown when compiling with JAX. Compute it outside "
                    "the body, build it from constants and shapes, or use switch/where "
                    "(set_subtensor and inc_subtensor accept a computed mask that is the "
                    "whole index)"
                )
        k += n_inputs(e)


def _has_indices(idx_list: tuple) -> bool:
    """Whether a key holds integer indices (what can be out of range; masks and slices cannot)."""
    return any(e[0] in (INT, ARRAY) for e in idx_list)


def _index_inputs(op: Op, index: Sequence[Any]) -> list[Variable]:
    expected = sum(map(n_inputs, op.idx_list))
    if len(index) != expected:
        raise TypeError(f"{op} takes {expected} index inputs, got {len(index)}")
    return [as_tensor_variable(i) for i in index]


# ---------------------------------------------------------------------------
# reading: Subtensor


class Subtensor(Op):
    """``x[key]`` for a key with integers, slices, ``None`` and ``...`` (numpy's basic indexing).

    Inputs are ``x`` then the index values (integer scalars, slice bounds) in
    the order of ``idx_list``.
    """

    __props__ = ("idx_list",)

    @property
    def checks_indices(self) -> bool:
        return _has_indices(self.idx_list)

    @property
    def host_indices(self) -> tuple[tuple[int, int], ...] | None:
        return integer_indices(self.idx_list, 1)

    def __init__(self, idx_list: tuple):
        self.idx_list = tuple(idx_list)

    @property
    def static_inputs(self) -> tuple[int, ...]:
        return static_positions(self.idx_list, 1)

    @property
    def length_inputs(self) -> tuple[int, ...]:
        # the first axis's slice bounds (``x[:n]``) may be bounded run-time values
        if not self.idx_list or self.idx_list[0][0] != SLICE:
            return ()
        return tuple(range(1, 1 + n_inputs(self.idx_list[0])))

    @property
    def counted_inputs(self) -> tuple[int, ...]:
        return mask_positions(self.idx_list, 1)

    def __str__(self) -> str:
        return f"{type(self).__name__}{describe_idx(self.idx_list)}"

    def make_node(self, x: Any, *index: Any) -> Apply:
        x = as_tensor_variable(x)
        index = _index_inputs(self, index)
        items = assemble(self.idx_list, build_values(index))
        shape = result_shape(self.idx_list, items, x.type.shape, x.describe())
        return Apply(self, [x, *index], [TensorType(x.dtype, shape)()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x, *values = inputs
        items = assemble(self.idx_list, values)
        result_shape(self.idx_list, items, np.shape(x), node.inputs[0].describe())
        output_storage[0][0] = np.array(x[concrete_key(items)])

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        out = node.outputs[0]
        return [
            tuple(
                constant(n, dtype="int64") if n is not None else shape_of(out)[a]
                for a, n in enumerate(out.type.shape)
            )
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x, *index = inputs
        no_index = [disconnected() for _ in index]
        if x.dtype not in continuous_dtypes:
            return [disconnected(), *no_index]
        gx = _inc_op(self.idx_list, False)(zeros_like(x), output_grads[0], *index)
        return [gx, *no_index]


class AdvancedSubtensor(Subtensor):
    """``x[key]`` for a key holding integer arrays or boolean masks (numpy's advanced indexing)."""


@jax_funcify.register(Subtensor)
def _jax_subtensor(op: Subtensor, node: Apply) -> Callable[..., Any]:
    idx_list, where = op.idx_list, node.inputs[0].describe()

    def subtensor(x: Any, *values: Any) -> Any:
        items = assemble(idx_list, values)
        _require_known(node, values, writes=False)
        result_shape(idx_list, items, np.shape(x), where)
        x = jnp.asarray(x)
        _report_indices(node, idx_list, items, x)
        expanded, values = expand_counted(idx_list, values)
        # JAX clamps an index out of range: the check reports it
        return x[concrete_key(assemble(expanded, values))]

    return subtensor


def _report_indices(node: Apply, idx_list: tuple, items: list, x: Any) -> None:
    """Hand the run-time indices to the linker's index checks (while tracing, when they are on
    and the caller does not check this node's indices before the call)."""
    if checks.checking(node):
        for index, axis in runtime_indices(idx_list, items, x.ndim):
            checks.require_in_range(index, x.shape[axis])


def getitem(x: TensorVariable, key: Any) -> TensorVariable:
    """``x[key]`` with numpy's semantics (what ``TensorVariable.__getitem__`` calls).

    An entry of a shape known when the graph is built is a constant:
    ``x.shape[k]`` of an axis of static length, or an integer of an integer
    constant vector (``x.shape`` of a static shape), so static shapes flow on.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> x[1:, None, [0, 2]].eval({x: np.arange(6.0).reshape(2, 3)})
    array([[[3., 5.]]])
    >>> gt.tensor("float64", shape=(5, None))[2:4].type
    TensorType(float64, shape=(2, None))
    """
    known = _known_length(x, key)
    if known is not None:
        return known
    idx_list, inputs = parse_key(x, key)
    # even ``x[...]`` is a node: ``set_subtensor(x[...], y)`` needs to know what was indexed
    return _read_op(idx_list)(x, *inputs)


def _known_length(x: TensorVariable, key: Any) -> TensorVariable | None:
    """``x[key]`` as a constant when ``x`` is a shape whose entry ``key`` is known statically."""
    if not isinstance(key, int | np.integer) or isinstance(key, bool) or x.ndim != 1:
        return None
    if isinstance(x, Constant) and x.dtype in int_dtypes:
        lengths = x.data
    elif x.owner is not None and isinstance(x.owner.op, Shape):
        lengths = x.owner.inputs[0].type.shape
    else:
        return None
    if -len(lengths) <= key < len(lengths) and lengths[key] is not None:
        return constant(int(lengths[key]), dtype=x.dtype)
    return None


# ---------------------------------------------------------------------------
# writing: IncSubtensor


class IncSubtensor(Op):
    """``x`` with ``x[key]`` set to ``y`` (``set_instead_of_inc``) or incremented by it.

    Inputs are ``x``, ``y`` then the index values, as for :class:`Subtensor`.
    ``y`` broadcasts to the shape of ``x[key]`` and is cast to ``x``'s dtype.
    """

    __props__ = ("idx_list", "set_instead_of_inc")

    @property
    def checks_indices(self) -> bool:
        return _has_indices(self.idx_list)

    @property
    def host_indices(self) -> tuple[tuple[int, int], ...] | None:
        return integer_indices(self.idx_list, 2)

    def __init__(self, idx_list: tuple, set_instead_of_inc: bool = False):
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = bool(set_instead_of_inc)

    @property
    def static_inputs(self) -> tuple[int, ...]:
        return static_positions(self.idx_list, 2)

    @property
    def length_inputs(self) -> tuple[int, ...]:
        if not self.idx_list or self.idx_list[0][0] != SLICE:
            return ()
        return tuple(range(2, 2 + n_inputs(self.idx_list[0])))

    @property
    def counted_inputs(self) -> tuple[int, ...]:
        return mask_positions(self.idx_list, 2)

    def __str__(self) -> str:
        what = "set" if self.set_instead_of_inc else "inc"
        return f"{type(self).__name__}{{{what}}}{describe_idx(self.idx_list)}"

    def make_node(self, x: Any, y: Any, *index: Any) -> Apply:
        x = as_tensor_variable(x)
        y = _as_update(y, x)
        index = _index_inputs(self, index)
        items = assemble(self.idx_list, build_values(index))
        target = result_shape(self.idx_list, items, x.type.shape, x.describe())
        if y.ndim > len(target):
            raise ValueError(
                f"{self}: {y.describe()} has {y.ndim} dimensions, more than the "
                f"{len(target)} of the indexed part of {x.describe()}"
            )
        padded = (None,) * (len(target) - y.ndim) + tuple(y.type.shape)
        for t, s in zip(target, padded, strict=True):
            if t is not None and s is not None and s not in (1, t):
                raise ValueError(
                    f"{self}: {y.describe()} of static shape {y.type.shape} cannot be "
                    f"broadcast to the indexed part of {x.describe()}, of shape {target}"
                )
        return Apply(self, [x, y, *index], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x, y, *values = inputs
        items = assemble(self.idx_list, values)
        target = result_shape(self.idx_list, items, np.shape(x), node.inputs[0].describe())
        out = np.array(x, copy=True)
        y = np.broadcast_to(np.asarray(y, dtype=out.dtype), target)
        key = concrete_key(items)
        if self.set_instead_of_inc:
            out[key] = y
        else:  # add.at accumulates repeated indices; it takes masks as their nonzero positions
            key = sum((np.nonzero(k) if np.asarray(k).dtype == bool else (k,) for k in key), ())
            np.add.at(out, key, y)
        output_storage[0][0] = out

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [input_shapes[0]]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x, y, *index = inputs
        (gz,) = output_grads
        no_index = [disconnected() for _ in index]
        if x.dtype not in continuous_dtypes:
            return [disconnected(), disconnected(), *no_index]
        gx = gz
        if self.set_instead_of_inc:
            gx = _inc_op(self.idx_list, True)(gz, constant(0, dtype=gz.dtype), *index)
        if y.dtype not in continuous_dtypes:
            return [gx, disconnected(), *no_index]
        return [gx, _update_grad(self.idx_list, gz, y, index), *no_index]


class AdvancedIncSubtensor(IncSubtensor):
    """:class:`IncSubtensor` for a key holding integer arrays or boolean masks."""


def _read_op(idx_list: tuple) -> Subtensor:
    return (AdvancedSubtensor if is_advanced(idx_list) else Subtensor)(idx_list)


def _inc_op(idx_list: tuple, set_instead_of_inc: bool) -> IncSubtensor:
    cls = AdvancedIncSubtensor if is_advanced(idx_list) else IncSubtensor
    return cls(idx_list, set_instead_of_inc)


def _as_update(y: Any, x: TensorVariable) -> TensorVariable:
    """``y`` in ``x``'s dtype, converted as numpy's ``x[key] = y`` does (floats truncate into ints).

    PyTensor writes with numpy's assignment, which casts whatever the kinds;
    so does graph2jax, for scripts to port unchanged.
    """
    if not isinstance(y, Variable):
        return constant(np.asarray(y).astype(x.dtype))
    return cast(as_tensor_variable(y), x.dtype)


def _update_grad(idx_list: tuple, gz: Any, y: Any, index: list) -> Any:
    """The gradient for ``y``: ``gz[key]`` summed over the axes ``y`` was broadcast along."""
    if mask_only(idx_list) and _broadcast_over_mask(y, gz.ndim - idx_list[0][1]):
        # the sum over the selected elements as a where: no shape depends on the mask, which
        # may then be computed (``inc_subtensor(x[x > 0], w)``)
        mask = index[0]
        picked = switch(
            dimshuffle(mask, (*range(mask.ndim), *["x"] * (gz.ndim - mask.ndim))),
            gz,
            constant(0, dtype=gz.dtype),
        )
        g = reduce_sum(picked, axis=tuple(range(mask.ndim)))
        if y.ndim > g.ndim:
            g = dimshuffle(g, ("x", *range(g.ndim)))
    else:
        g = _read_op(idx_list)(gz, *index)
    return unbroadcast(g, y)


def _broadcast_over_mask(y: Any, rest_ndim: int) -> bool:
    """Whether ``y`` broadcasts along the selected-elements axis of ``x[mask]`` (``rest_ndim`` after it)."""
    shape = y.type.shape if isinstance(y, Variable) else np.shape(y)
    return len(shape) <= rest_ndim or shape[len(shape) - rest_ndim - 1] == 1


@jax_funcify.register(IncSubtensor)
def _jax_inc_subtensor(op: IncSubtensor, node: Apply) -> Callable[..., Any]:
    idx_list, where = op.idx_list, node.inputs[0].describe()
    dtype, setting = node.outputs[0].dtype, op.set_instead_of_inc

    def inc_subtensor(x: Any, y: Any, *values: Any) -> Any:
        x, y = jnp.asarray(x), jnp.asarray(y, dtype=dtype)
        items = assemble(idx_list, values)
        _require_known(node, values, writes=True)
        if mask_only(idx_list) and not is_known(values[0]):
            return _masked_update(x, y, values[0], setting)
        result_shape(idx_list, items, np.shape(x), where)
        _report_indices(node, idx_list, items, x)
        expanded, values = expand_counted(idx_list, values)
        items = assemble(expanded, values)
        target = result_shape(expanded, items, np.shape(x), where)
        key = concrete_key(items)
        y = jnp.broadcast_to(y, target)
        # an out-of-range index anywhere so far: write what leaves x as it was
        y = checks.gate(y, x[key] if setting else jnp.zeros_like(y))
        return checks.mark_gated(_scatter(x.at[key], y, setting))

    return inc_subtensor


def _masked_update(x: Any, y: Any, mask: Any, setting: bool) -> Any:
    """``x[mask] = y`` (or ``+=``) for a mask known only at run time: a ``where``, or a
    scatter at the mask's first ``len(y)`` true positions when ``y`` has one value per element."""
    rest = x.shape[mask.ndim :]
    if _broadcast_over_mask(y, len(rest)):
        values = jnp.broadcast_to(jnp.reshape(y, y.shape[max(y.ndim - len(rest), 0) :]), rest)
        picked = jnp.reshape(mask, mask.shape + (1,) * len(rest))
        if setting:
            return jnp.where(picked, values, x)
        return x + jnp.where(picked, values, jnp.zeros((), x.dtype))
    count = y.shape[y.ndim - len(rest) - 1]
    # positions past the true ones point out of range and are dropped
    positions = jnp.nonzero(mask, size=count, fill_value=mask.shape)
    return _scatter(x.at[positions], jnp.broadcast_to(y, (count, *rest)), setting)


def _scatter(ref: Any, y: Any, setting: bool) -> Any:
    if setting:
        return ref.set(y, mode="drop")
    if y.dtype == bool:  # numpy adds booleans as a logical or; XLA's scatter-add takes no bool
        return ref.max(y, mode="drop")
    return ref.add(y, mode="drop")


def _indexed_parts(x: Any) -> tuple[TensorVariable, tuple, list[Variable]]:
    """The indexed variable, ``idx_list`` and index inputs of ``x`` (the result of ``v[key]``)."""
    node = getattr(x, "owner", None)
    if node is None or not isinstance(node.op, Subtensor):
        raise TypeError(
            f"set_subtensor/inc_subtensor need an indexed variable such as x[1:3], "
            f"got {x.describe() if isinstance(x, Variable) else repr(x)}"
        )
    return node.inputs[0], node.op.idx_list, node.inputs[1:]


def _write(x: Any, y: Any, set_instead_of_inc: bool) -> TensorVariable:
    base, idx_list, index = _indexed_parts(x)
    if mask_only(idx_list):
        # the output's shape does not depend on the mask: it need not be static
        idx_list = ((MASK, idx_list[0][1], False),)
    return _inc_op(idx_list, set_instead_of_inc)(base, y, *index)


def set_subtensor(
    x: TensorVariable, y: Any, inplace: bool = False, tolerate_inplace_aliasing: bool = False
) -> TensorVariable:
    """A copy of the tensor indexed by ``x`` with that part replaced by ``y``.

    ``set_subtensor(a[1:3], 0)`` returns ``a`` with entries 1 and 2 set to zero.
    Where ``key`` repeats a position, one of the values is written (see the
    module's notes).

    Parameters
    ----------
    x : TensorVariable
        The result of indexing a tensor, ``a[key]``, as in PyTensor.
    y : tensor-like
        Broadcast to the shape of ``a[key]`` and cast to ``a``'s dtype, as
        numpy's assignment (a float written into an integer tensor truncates).
    inplace, tolerate_inplace_aliasing : bool
        Accepted for PyTensor's signature and ignored: the result is a new
        array (XLA reuses the buffer when it can).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dvector("a")
    >>> set_subtensor(a[1:3], 5.0).eval({a: np.zeros(4)})
    array([0., 5., 5., 0.])
    """
    return _write(x, y, True)


def inc_subtensor(
    x: TensorVariable,
    y: Any,
    inplace: bool = False,
    set_instead_of_inc: bool = False,
    tolerate_inplace_aliasing: bool = False,
    ignore_duplicates: bool = False,
) -> TensorVariable:
    """A copy of the tensor indexed by ``x`` with ``y`` added to that part.

    Repeated indices accumulate, as ``np.add.at``, unless ``ignore_duplicates``.

    Parameters
    ----------
    x, y, inplace, tolerate_inplace_aliasing
        As for :func:`set_subtensor`.
    set_instead_of_inc : bool
        Write ``y`` instead of adding it (what :func:`set_subtensor` does).
    ignore_duplicates : bool
        Repeated indices add ``y`` once, as numpy's ``a[idx] += y``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dvector("a")
    >>> inc_subtensor(a[[0, 0, 2]], 1.0).eval({a: np.zeros(3)})
    array([2., 0., 1.])
    >>> inc_subtensor(a[[0, 0, 2]], 1.0, ignore_duplicates=True).eval({a: np.zeros(3)})
    array([1., 0., 1.])
    """
    if set_instead_of_inc:
        return _write(x, y, True)
    if ignore_duplicates:
        # every written entry becomes its old value plus y: duplicates write the same sum
        return _write(x, x + y, True)
    return _write(x, y, False)


def take(a: Any, indices: Any, axis: int | None = None, mode: str = "raise") -> TensorVariable:
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened ``a`` when None), as numpy.

    ``mode`` is ``'raise'`` (out-of-range indices are errors, see the module's
    notes), ``'wrap'`` (indices modulo the length) or ``'clip'``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> m = gt.dmatrix("m")
    >>> gt.take(m, [2, 0], axis=1).eval({m: np.arange(6.0).reshape(2, 3)})
    array([[2., 0.],
           [5., 3.]])
    """
    a = as_tensor_variable(a)
    if axis is None:
        a, axis = reshape(a, (-1,)), 0
    axis = normalize_axis_index(axis, a.ndim, f"take from {a.describe()}")
    indices = as_tensor_variable(indices)
    if mode in ("wrap", "clip"):
        length = a.shape[axis]
        indices = mod(indices, length) if mode == "wrap" else clip(indices, 0, length - 1)
    elif mode != "raise":
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    return a[(slice(None),) * axis + (indices,)]


__all__ = [
    "AdvancedIncSubtensor",
    "AdvancedSubtensor",
    "IncSubtensor",
    "Subtensor",
    "inc_subtensor",
    "set_subtensor",
    "take",
]
