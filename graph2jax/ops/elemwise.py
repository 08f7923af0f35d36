"""The :class:`Elemwise` op: one :class:`ScalarOp` applied elementwise with broadcasting.

This module holds the machinery every elementwise function shares over the
:class:`~graph2jax.ops.scalar.ScalarOp` records of :mod:`graph2jax.ops.scalar`: the
:class:`Elemwise` op with its broadcasting and gradient reduction,
:class:`Cast`, and :class:`DimShuffle` (``dimshuffle``, ``shape_pad*``), with
which ``Elemwise`` pads its inputs to one rank, as in PyTensor. The functions
themselves (``exp``, ``add`` ...) are the tables of :mod:`graph2jax.ops.math`
and :mod:`graph2jax.ops.math_special`.

Broadcasting follows PyTensor's static rule: only axes whose static length is
1 broadcast; an axis of unknown length that turns out to be 1 at run time
while the other operands are longer is an error, not a silent broadcast.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Constant, Op
from graph2jax.graph.gradtypes import disconnected, is_null
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.scalar import ScalarOp, upcast
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import (
    TensorType,
    complex_dtypes,
    continuous_dtypes,
    discrete_dtypes,
    dtype_name,
)
from graph2jax.types.variable import TensorVariable

# ---------------------------------------------------------------------------
# the Elemwise op


def broadcast_static_shape(shapes: Sequence[tuple], op_name: str = "elemwise") -> tuple:
    """The static output shape of broadcasting ``shapes`` (numpy's rule: shorter ones are
    left-padded with 1s; ``None`` is an unknown length, and only a known 1 gives way).

    Raises
    ------
    ValueError
        When two known lengths differ and neither is 1.
    """
    ndim = max((len(s) for s in shapes), default=0)
    shapes = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out = []
    for axis, lengths in enumerate(zip(*shapes, strict=True)):
        known = {n for n in lengths if n is not None and n != 1}
        if len(known) > 1:
            raise ValueError(
                f"{op_name}: shapes {', '.join(map(str, shapes))} cannot be broadcast "
                f"(axis {axis} has lengths {sorted(known)})"
            )
        if known:
            out.append(known.pop())
        elif all(n == 1 for n in lengths):
            out.append(1)
        else:
            out.append(None)
    return tuple(out)


class Elemwise(Op):
    """Apply ``scalar_op`` elementwise with broadcasting."""

    __props__ = ("scalar_op",)

    def __init__(self, scalar_op: ScalarOp):
        self.scalar_op = scalar_op

    def __str__(self) -> str:
        return self.scalar_op.name

    def make_node(self, *inputs: Any) -> Apply:
        sop = self.scalar_op
        if len(inputs) != sop.nin:
            raise TypeError(f"{sop.name} takes {sop.nin} inputs, got {len(inputs)}")
        tensors = [as_tensor_variable(i) for i in inputs]
        ndim = max(t.ndim for t in tensors)
        tensors = [t if t.ndim == ndim else _pad_left(t, ndim) for t in tensors]
        described = ", ".join(t.describe() for t in tensors)
        try:
            dtype = sop.dtype_rule(*[t.dtype for t in tensors])
        except TypeError as e:
            raise TypeError(f"{sop.name}({described}): {e}") from None
        try:
            shape = broadcast_static_shape([t.type.shape for t in tensors], sop.name)
        except ValueError as e:
            raise ValueError(f"{e}; inputs: {described}") from None
        return Apply(self, tensors, [TensorType(dtype, shape)()])

    def _compute_dtype(self, node: Apply) -> str | None:
        mode = self.scalar_op.compute
        if mode == "out":
            return node.outputs[0].dtype
        if mode == "common":
            return upcast(*[i.dtype for i in node.inputs])
        return None

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = self._compute_dtype(node)
        _check_runtime_broadcast(node, [np.shape(i) for i in inputs])
        if dtype is not None:
            inputs = [np.asarray(i, dtype=dtype) for i in inputs]
        with np.errstate(all="ignore"):
            result = self.scalar_op.np_fn(*inputs)
        output_storage[0][0] = np.asarray(result, dtype=node.outputs[0].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        out = []
        for axis, length in enumerate(node.outputs[0].type.shape):
            if length is not None:
                out.append(constant(length, dtype="int64"))
            else:
                # no run-time broadcasting (PyTensor's rule): every input not
                # statically broadcastable along ``axis`` has the output's length there
                out.append(
                    next(
                        s[axis]
                        for s, i in zip(input_shapes, node.inputs, strict=True)
                        if i.type.shape[axis] != 1
                    )
                )
        return [tuple(out)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        from graph2jax.ops.creation import zeros_like
        from graph2jax.ops.math import conj

        sop = self.scalar_op
        (out,), (gz,) = outputs, output_grads
        if sop.grad is None or out.dtype in discrete_dtypes:
            # a piecewise-constant function: zero gradient for continuous inputs, as PyTensor
            return [disconnected() if i.dtype in discrete_dtypes else zeros_like(i) for i in inputs]
        if out.dtype in complex_dtypes and sop.holomorphic:
            # PyTensor's complex gradients are df/dRe + i df/dIm: the chain rule of a
            # holomorphic function multiplies by the conjugate of its derivative
            grads = [g if g is None else conj(g) for g in sop.grad(inputs, out, conj(gz))]
        else:
            grads = sop.grad(inputs, out, gz)
        # a discrete input of a continuous output gets its gradient as if it were continuous
        # (PyTensor's contract: grad(sigmoid(X @ W).sum(), X) for an integer X)
        return [
            disconnected() if g is None else unbroadcast(g, inp)
            for inp, g in zip(inputs, grads, strict=True)
        ]


def _pad_left(t: TensorVariable, ndim: int) -> TensorVariable:
    if isinstance(t, Constant):  # a padded constant is just another constant: no node
        return constant(np.reshape(t.data, (1,) * (ndim - t.ndim) + t.data.shape))
    return dimshuffle(t, ("x",) * (ndim - t.ndim) + tuple(range(t.ndim)))


def unbroadcast(g: TensorVariable, inp: TensorVariable) -> TensorVariable:
    """The gradient ``g`` of a broadcast ``inp``, brought back to ``inp``'s type.

    Parameters
    ----------
    g : TensorVariable
        A gradient of the broadcast shape (a null gradient is returned as it is).
    inp : TensorVariable
        The input that was broadcast; ``g`` is summed over its extra leading
        axes and over the axes where ``inp``'s static length is 1 and ``g``'s is
        not, and cast to ``inp``'s dtype if continuous (the real part for a
        real ``inp``).
    """
    # a helper of gradient formulas: the reductions it uses sit above this module
    from graph2jax.ops.math import real
    from graph2jax.ops.reduce import sum as reduce_sum

    if is_null(g):
        return g
    if g.ndim > inp.ndim:
        g = reduce_sum(g, axis=tuple(range(g.ndim - inp.ndim)))
    axes = tuple(
        a
        for a, (i, o) in enumerate(zip(inp.type.shape, g.type.shape, strict=True))
        if i == 1 and o != 1
    )
    if axes:
        g = reduce_sum(g, axis=axes, keepdims=True)
    if g.dtype in complex_dtypes and inp.dtype not in complex_dtypes:
        g = real(g)  # a real input's gradient is the real part of a complex one
    if g.dtype != inp.dtype and inp.dtype in continuous_dtypes:
        g = cast(g, inp.dtype)
    return g


def _check_runtime_broadcast(node: Apply, shapes: Sequence[tuple]) -> None:
    """Refuse broadcasting along an axis whose static length was unknown (PyTensor's rule)."""
    for axis in range(len(shapes[0])):
        longer = {s[axis] for s in shapes} - {1}
        if len(longer) > 1:
            raise ValueError(
                f"{node.op}: the shapes {[tuple(s) for s in shapes]} of "
                f"{', '.join(i.describe() for i in node.inputs)} do not match along axis {axis}"
            )
        if not longer:
            continue
        for var, s in zip(node.inputs, shapes, strict=True):
            if s[axis] == 1 and var.type.shape[axis] is None:
                raise ValueError(
                    f"{node.op}: input {var.describe()} has length 1 along axis {axis}, which "
                    f"its type does not mark as broadcastable, but other inputs have length "
                    f"{longer.pop()}; give it a static shape of 1 there "
                    "(specify_shape, or a row/col constructor) to broadcast"
                )


@jax_funcify.register(Elemwise)
def _jax_elemwise(op: Elemwise, node: Apply) -> Callable[..., Any]:
    fn = op.scalar_op.jax_fn
    compute = op._compute_dtype(node)
    out_dtype = node.outputs[0].dtype

    def elemwise(*args: Any) -> Any:
        _check_runtime_broadcast(node, [jnp.shape(a) for a in args])  # shapes are static here
        if compute is not None:
            args = [jnp.asarray(a, dtype=compute) for a in args]
        return jnp.asarray(fn(*args), dtype=out_dtype)

    return elemwise


_ARG_NAMES = {1: "a", 2: "a b", 3: "a b c"}


def elemwise_function(
    sop: ScalarOp, summary: str, args: str | None = None, variadic: bool = False
) -> Callable[..., TensorVariable]:
    """The user-facing function of a scalar op (``gt.exp``), building an :class:`Elemwise` node.

    ``args`` names the parameters (space separated, PyTensor's names); a
    ``variadic`` function (``add``, ``mul``) takes ``a, *other_terms`` and folds them from the left.
    """
    op = Elemwise(sop)
    names = (args or _ARG_NAMES[sop.nin]).split()
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter(n, kind) for n in names]
    if variadic:
        names = names[:1]
        params = [params[0], inspect.Parameter("other_terms", inspect.Parameter.VAR_POSITIONAL)]
    params.append(inspect.Parameter("name", inspect.Parameter.KEYWORD_ONLY, default=None))
    signature = inspect.Signature(params)

    def fn(*inputs: Any, **kwargs: Any) -> TensorVariable:
        bound = signature.bind(*inputs, **kwargs).arguments
        terms = [bound[n] for n in names] + list(bound.get("other_terms", ()))
        if variadic and len(terms) == 1:
            return as_tensor_variable(terms[0])
        result = functools.reduce(op, terms) if variadic else op(*terms)
        if bound.get("name") is not None:
            result.name = bound["name"]
        return result

    fn.__name__ = fn.__qualname__ = sop.name
    fn.__signature__ = signature
    shown = ", ".join(names + (["*other_terms"] if variadic else []))
    fn.__doc__ = (
        f"{summary}\n\nParameters\n----------\n{shown} : tensor-like\n"
        "name : str, optional\n    The name of the result.\n\nReturns\n-------\n"
        "TensorVariable\n    The elementwise result, broadcast over the inputs.\n"
    )
    fn.op = op
    return fn


class Cast(Op):
    """Convert to ``dtype`` (numpy's ``astype``: floats truncate towards zero into integers)."""

    __props__ = ("dtype",)

    def __init__(self, dtype: str):
        self.dtype = str(np.dtype(dtype))

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        return Apply(self, [x], [TensorType(self.dtype, x.type.shape)()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(inputs[0]).astype(self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (gz,) = inputs, output_grads
        if self.dtype in discrete_dtypes:  # rounding to integers: zero gradient, as PyTensor
            from graph2jax.ops.creation import zeros_like

            return [zeros_like(x, dtype=x.dtype if x.dtype not in discrete_dtypes else "floatX")]
        # an integer cast to a float passes the gradient on, as PyTensor (grad's contract)
        return [gz if x.dtype in discrete_dtypes else cast(gz, x.dtype)]


@jax_funcify.register(Cast)
def _jax_cast(op: Cast, node: Apply) -> Callable[..., Any]:
    dtype = op.dtype
    return lambda x: jnp.asarray(x).astype(dtype)


def cast(x: Any, dtype: Any) -> TensorVariable:
    """``x`` converted to ``dtype`` (``'floatX'`` is ``config.floatX``); a no-op when it has it.

    Parameters
    ----------
    x : tensor-like
    dtype : str or numpy dtype

    Raises
    ------
    TypeError
        When ``x`` is complex and ``dtype`` is not (ambiguous, as in PyTensor).
    """
    dtype = dtype_name(dtype)
    x = as_tensor_variable(x)
    if x.dtype in complex_dtypes and dtype not in complex_dtypes:
        raise TypeError(
            f"cast: casting the complex {x.describe()} to {dtype} is ambiguous; use "
            "real(), imag() or abs() first"
        )
    return x if x.dtype == dtype else Cast(dtype)(x)


# ---------------------------------------------------------------------------
# DimShuffle: Elemwise broadcasts its inputs by padding them with it (PyTensor keeps it here too)


class DimShuffle(Op):
    """Reorder axes, add broadcastable axes (``'x'``) and drop length-1 axes.

    ``new_order`` lists, for each output axis, an input axis or ``'x'``;
    input axes left out must have static length 1.
    """

    __props__ = ("input_ndim", "new_order")

    def __init__(self, input_ndim: int, new_order: Sequence[int | str]):
        self.input_ndim = int(input_ndim)
        self.new_order = tuple(o if o == "x" else int(o) for o in new_order)
        axes = [o for o in self.new_order if o != "x"]
        if len(set(axes)) != len(axes) or any(not 0 <= a < self.input_ndim for a in axes):
            raise ValueError(
                f"dimshuffle pattern {new_order} is invalid for {self.input_ndim} dimensions"
            )
        self.drop = tuple(a for a in range(self.input_ndim) if a not in axes)
        self.transposition = tuple(axes)

    def __str__(self) -> str:
        return f"DimShuffle{{{','.join(map(str, self.new_order))}}}"

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if x.ndim != self.input_ndim:
            raise TypeError(
                f"{self} expects {self.input_ndim} dimensions, {x.describe()} has {x.ndim}"
            )
        for a in self.drop:
            if x.type.shape[a] != 1:
                raise ValueError(
                    f"dimshuffle {self.new_order} drops axis {a} of {x.describe()}, whose static "
                    f"length is {x.type.shape[a]}, not 1"
                )
        shape = tuple(1 if o == "x" else x.type.shape[o] for o in self.new_order)
        return Apply(self, [x], [TensorType(x.dtype, shape)()])

    def _apply(self, xp: Any, x: Any) -> Any:
        # kept axes in their new order, dropped (length-1) axes last; the reshape drops them
        x = xp.transpose(x, self.transposition + self.drop)
        kept = iter(np.shape(x)[: len(self.transposition)])
        return xp.reshape(x, tuple(1 if o == "x" else next(kept) for o in self.new_order))

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = self._apply(np, np.asarray(inputs[0]))

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (ishape,) = input_shapes
        one = constant(1, dtype="int64")
        return [tuple(one if o == "x" else ishape[o] for o in self.new_order)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        from graph2jax.ops.shape import specify_shape

        (gz,) = output_grads
        # the axes this op added are dropped again: they must be static 1 in gz's type too
        gz = specify_shape(
            gz, [1 if o == "x" else n for o, n in zip(self.new_order, gz.type.shape, strict=True)]
        )
        back = [
            self.new_order.index(a) if a in self.transposition else "x"
            for a in range(self.input_ndim)
        ]
        return [DimShuffle(gz.ndim, back)(gz)]


@jax_funcify.register(DimShuffle)
def _jax_dimshuffle(op: DimShuffle, node: Apply) -> Callable[..., Any]:
    return lambda x: op._apply(jnp, x)


def dimshuffle(x: Any, pattern: Sequence[int | str]) -> TensorVariable:
    """Reorder axes of ``x`` by ``pattern``; ``'x'`` inserts a broadcastable axis.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.dimshuffle(gt.dmatrix("m"), (1, "x", 0)).type
    TensorType(float64, shape=(None, 1, None))
    """
    x = as_tensor_variable(x)
    pattern = tuple(pattern)
    if pattern == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, pattern)(x)


def shape_padleft(t: Any, n_ones: int = 1) -> TensorVariable:
    """``t`` with ``n_ones`` broadcastable axes added on the left."""
    t = as_tensor_variable(t)
    return dimshuffle(t, ["x"] * n_ones + list(range(t.ndim)))


def shape_padright(t: Any, n_ones: int = 1) -> TensorVariable:
    """``t`` with ``n_ones`` broadcastable axes added on the right."""
    t = as_tensor_variable(t)
    return dimshuffle(t, list(range(t.ndim)) + ["x"] * n_ones)


def shape_padaxis(t: Any, axis: int) -> TensorVariable:
    """``t`` with one broadcastable axis inserted at position ``axis`` of the result.

    Raises
    ------
    IndexError
        When ``axis`` is not in ``[-t.ndim - 1, t.ndim]``.
    """
    t = as_tensor_variable(t)
    ndim = t.ndim + 1
    if not -ndim <= axis < ndim:
        raise IndexError(f"shape_padaxis: axis {axis} is out of bounds [-{ndim}, {ndim})")
    axis %= ndim
    pattern: list[int | str] = list(range(t.ndim))
    pattern.insert(axis, "x")
    return dimshuffle(t, pattern)


# the framework's own helpers (elemwise_function, unbroadcast) are
# imported by name by the op modules; these are the user-facing names
__all__ = [
    "Cast",
    "Elemwise",
    "DimShuffle",
    "broadcast_static_shape",
    "cast",
    "dimshuffle",
    "shape_padaxis",
    "shape_padleft",
    "shape_padright",
]
