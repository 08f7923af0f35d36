"""Elementwise ops: one :class:`Elemwise` op applying a :class:`ScalarOp` with broadcasting.

Every elementwise function is one :class:`ScalarOp` entry: its name, arity,
numpy function (the reference), JAX function, dtype rule and gradient, side
by side. Dtypes follow PyTensor: arithmetic upcasts as numpy's type promotion,
true division and transcendental functions turn integers into floats
(``upgrade_to_float``), comparisons return bool.

Broadcasting follows PyTensor's static rule: only axes whose static length is
1 broadcast; an axis of unknown length that turns out to be 1 at run time
while the other operands are longer is an error, not a silent broadcast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.tensor.basic import as_tensor_variable
from graph2jax.tensor.type import TensorType, continuous_dtypes, discrete_dtypes
from graph2jax.tensor.variable import TensorVariable

# ---------------------------------------------------------------------------
# dtype rules


def upcast(*dtypes: str) -> str:
    """numpy's promotion of ``dtypes`` (bool with bool stays bool)."""
    return str(np.result_type(*[np.dtype(d) for d in dtypes]))


_TO_FLOAT = {
    "bool": "float32",
    "int8": "float32",
    "int16": "float32",
    "uint8": "float32",
    "uint16": "float32",
    "int32": "float64",
    "int64": "float64",
    "uint32": "float64",
    "uint64": "float64",
}


def upgrade_to_float(*dtypes: str) -> str:
    """PyTensor's ``upgrade_to_float``: the upcast, with integers and bool turned into floats."""
    return upcast(*[_TO_FLOAT.get(d, d) for d in dtypes])


def same_out_bool(*dtypes: str) -> str:
    return "bool"


def real_of(*dtypes: str) -> str:
    """``abs`` of a complex number is real."""
    d = upcast(*dtypes)
    return {"complex64": "float32", "complex128": "float64"}.get(d, d)


# ---------------------------------------------------------------------------
# scalar ops


@dataclass(frozen=True, eq=False)
class ScalarOp:
    """One elementwise function.

    Attributes
    ----------
    name : str
    nin : int
        Number of inputs.
    np_fn, jax_fn : callable
        The numpy reference and the JAX implementation, on arrays.
    dtype_rule : callable
        ``dtype_rule(*input_dtypes) -> output dtype``.
    compute : str
        What the inputs are cast to before the function runs: ``'out'`` (the
        output dtype), ``'common'`` (their upcast, for comparisons) or ``'keep'``.
    grad : callable or None
        ``grad(inputs, output, gz) -> [g_input, ...]`` as graph expressions of
        the broadcast shape; None marks a function without gradient (its
        inputs get disconnected gradients).
    """

    name: str
    nin: int
    np_fn: Callable[..., Any]
    jax_fn: Callable[..., Any]
    dtype_rule: Callable[..., str] = upcast
    compute: str = "out"
    grad: Callable[..., list] | None = None

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple:
        return (_scalar_op_by_name, (self.name,))


SCALAR_OPS: dict[str, ScalarOp] = {}


def _scalar_op_by_name(name: str) -> ScalarOp:
    return SCALAR_OPS[name]


def scalar_op(name: str, nin: int, np_fn: Callable, jax_fn: Callable, **kwargs: Any) -> ScalarOp:
    """Define and register a :class:`ScalarOp` (names are unique)."""
    if name in SCALAR_OPS:
        raise ValueError(f"scalar op {name!r} is defined twice")
    op = ScalarOp(name, nin, np_fn, jax_fn, **kwargs)
    SCALAR_OPS[name] = op
    return op


# ---------------------------------------------------------------------------
# the Elemwise op


def broadcast_static_shape(shapes: Sequence[tuple], op_name: str = "elemwise") -> tuple:
    """The static output shape of broadcasting ``shapes`` (all of one length).

    Raises
    ------
    ValueError
        When two known lengths differ and neither is 1.
    """
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
        shape = broadcast_static_shape([t.type.shape for t in tensors], sop.name)
        dtype = sop.dtype_rule(*[t.dtype for t in tensors])
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
        import graph2jax.tensor as gt

        out = []
        for axis, length in enumerate(node.outputs[0].type.shape):
            if length is not None:
                out.append(gt.constant(length, dtype="int64"))
                continue
            candidates = [
                s[axis]
                for s, i in zip(input_shapes, node.inputs, strict=True)
                if i.type.shape[axis] != 1
            ]
            out.append(
                candidates[0]
                if len(candidates) == 1
                else gt.maximum(*candidates[:2])
                if len(candidates) == 2
                else candidates[0]
            )
        return [tuple(out)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        sop = self.scalar_op
        (out,), (gz,) = outputs, output_grads
        if sop.grad is None or out.dtype in discrete_dtypes:
            return [disconnected() for _ in inputs]
        grads = sop.grad(inputs, out, gz)
        result = []
        for inp, g in zip(inputs, grads, strict=True):
            if inp.dtype in discrete_dtypes or g is None:
                result.append(disconnected())
                continue
            result.append(_unbroadcast(g, inp))
        return result


def _pad_left(t: TensorVariable, ndim: int) -> TensorVariable:
    import graph2jax.tensor as gt

    return gt.dimshuffle(t, ("x",) * (ndim - t.ndim) + tuple(range(t.ndim)))


def _unbroadcast(g: TensorVariable, inp: TensorVariable) -> TensorVariable:
    """Sum ``g`` over the axes ``inp`` was broadcast along; give it ``inp``'s dtype and shape."""
    import graph2jax.tensor as gt

    axes = tuple(
        a
        for a, (i, o) in enumerate(zip(inp.type.shape, g.type.shape, strict=True))
        if i == 1 and o != 1
    )
    if axes:
        g = gt.sum(g, axis=axes, keepdims=True)
    if g.dtype != inp.dtype and inp.dtype in continuous_dtypes:
        g = gt.cast(g, inp.dtype)
    return g


def _check_runtime_broadcast(node: Apply, shapes: Sequence[tuple]) -> None:
    """Refuse broadcasting along an axis whose static length was unknown (PyTensor's rule)."""
    if len(shapes) < 2:
        return
    for axis in range(len(shapes[0])):
        lengths = {s[axis] for s in shapes}
        if len(lengths) == 1:
            continue
        for var, s in zip(node.inputs, shapes, strict=True):
            if s[axis] == 1 and var.type.shape[axis] is None:
                raise ValueError(
                    f"{node.op}: input {var.describe()} has length 1 along axis {axis}, which "
                    f"its type does not mark as broadcastable, but other inputs have lengths "
                    f"{sorted(lengths - {1})}; give it a static shape of 1 there "
                    "(specify_shape, or a row/col constructor) to broadcast"
                )
            if s[axis] not in (1, max(lengths)):
                raise ValueError(
                    f"{node.op}: input shapes {[tuple(x) for x in shapes]} do not match along axis {axis}"
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


def elemwise_function(sop: ScalarOp, doc: str) -> Callable[..., TensorVariable]:
    """The user-facing function of a scalar op (``gt.exp``), building an :class:`Elemwise` node."""
    op = Elemwise(sop)

    def fn(*inputs: Any, name: str | None = None) -> TensorVariable:
        return op(*inputs, name=name)

    fn.__name__ = fn.__qualname__ = sop.name
    fn.__doc__ = doc
    fn.op = op
    return fn


# ---------------------------------------------------------------------------
# the table of elementwise functions (gradients use graph2jax.tensor at call time)


def _gt() -> Any:
    import graph2jax.tensor as gt

    return gt


_ARITH = [
    ("add", 2, np.add, jnp.add, {"grad": lambda i, o, gz: [gz, gz]}, "x + y"),
    ("sub", 2, np.subtract, jnp.subtract, {"grad": lambda i, o, gz: [gz, -gz]}, "x - y"),
    (
        "mul",
        2,
        np.multiply,
        jnp.multiply,
        {"grad": lambda i, o, gz: [gz * i[1], gz * i[0]]},
        "x * y",
    ),
    (
        "true_div",
        2,
        np.true_divide,
        jnp.true_divide,
        {"dtype_rule": upgrade_to_float, "grad": lambda i, o, gz: [gz / i[1], -gz * o / i[1]]},
        "x / y, integers give floats",
    ),
    ("neg", 1, np.negative, jnp.negative, {"grad": lambda i, o, gz: [-gz]}, "-x"),
    (
        "pow",
        2,
        np.power,
        jnp.power,
        {
            "grad": lambda i, o, gz: [
                gz * i[1] * _gt().pow(i[0], i[1] - 1),
                gz * o * _gt().log(i[0]),
            ]
        },
        "x ** y",
    ),
    (
        "exp",
        1,
        np.exp,
        jnp.exp,
        {"dtype_rule": upgrade_to_float, "grad": lambda i, o, gz: [gz * o]},
        "e ** x",
    ),
    (
        "log",
        1,
        np.log,
        jnp.log,
        {"dtype_rule": upgrade_to_float, "grad": lambda i, o, gz: [gz / i[0]]},
        "natural logarithm",
    ),
    ("sqr", 1, np.square, jnp.square, {"grad": lambda i, o, gz: [gz * 2 * i[0]]}, "x * x"),
    (
        "tanh",
        1,
        np.tanh,
        jnp.tanh,
        {"dtype_rule": upgrade_to_float, "grad": lambda i, o, gz: [gz * (1 - o * o)]},
        "hyperbolic tangent",
    ),
    (
        "maximum",
        2,
        np.maximum,
        jnp.maximum,
        {"grad": lambda i, o, gz: [gz * _gt().eq(o, i[0]), gz * _gt().neq(o, i[0])]},
        "elementwise maximum (the gradient goes to the first input on ties)",
    ),
]
_COMPARE = [
    ("eq", np.equal, jnp.equal, "x == y"),
    ("neq", np.not_equal, jnp.not_equal, "x != y"),
    ("lt", np.less, jnp.less, "x < y"),
    ("le", np.less_equal, jnp.less_equal, "x <= y"),
    ("gt", np.greater, jnp.greater, "x > y"),
    ("ge", np.greater_equal, jnp.greater_equal, "x >= y"),
]

_functions: dict[str, Callable[..., TensorVariable]] = {}
for _name, _nin, _np, _jax, _kw, _doc in _ARITH:
    _functions[_name] = elemwise_function(scalar_op(_name, _nin, _np, _jax, **_kw), _doc)
for _name, _np, _jax, _doc in _COMPARE:
    _functions[_name] = elemwise_function(
        scalar_op(_name, 2, _np, _jax, dtype_rule=same_out_bool, compute="common"),
        f"{_doc}, elementwise; bool result",
    )


def _switch_grad(i: list, o: Any, gz: Any) -> list:
    gt = _gt()
    zeros = gt.zeros_like(gz)
    return [None, gt.switch(i[0], gz, zeros), gt.switch(i[0], zeros, gz)]


_switch_op = scalar_op(
    "switch",
    3,
    lambda c, a, b: np.where(c, a, b),
    lambda c, a, b: jnp.where(c, a, b),
    dtype_rule=lambda c, a, b: upcast(a, b),
    compute="keep",
    grad=_switch_grad,
)
_functions["switch"] = elemwise_function(
    _switch_op, "``a`` where ``cond`` is true, else ``b`` (elementwise, broadcasting)."
)


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
        if x.dtype in discrete_dtypes or self.dtype in discrete_dtypes:
            return [disconnected()]
        return [cast(gz, x.dtype)]


@jax_funcify.register(Cast)
def _jax_cast(op: Cast, node: Apply) -> Callable[..., Any]:
    dtype = op.dtype
    return lambda x: jnp.asarray(x).astype(dtype)


def cast(x: Any, dtype: Any) -> TensorVariable:
    """``x`` converted to ``dtype`` (``'floatX'`` means ``config.floatX``); a no-op when it has it."""
    from graph2jax.config import config

    dtype = config.floatX if dtype == "floatX" else str(np.dtype(dtype))
    x = as_tensor_variable(x)
    return x if x.dtype == dtype else Cast(dtype)(x)


_functions["cast"] = cast
globals().update(_functions)

__all__ = [
    "Cast",
    "Elemwise",
    "ScalarOp",
    "broadcast_static_shape",
    "upcast",
    "upgrade_to_float",
    *_functions,
]
