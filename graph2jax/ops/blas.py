"""Products: ``dot``, ``matmul``, ``tensordot``, ``outer``, ``einsum``, ``batched_dot``.

Two ops carry them all. :class:`Dot` is PyTensor's product of vectors and
matrices (``Dot`` in a debugprint reads as in PyTensor). :class:`Einsum` is an
Einstein summation with its subscripts written out (no ellipsis, explicit
output): batched ``matmul``, ``tensordot`` and ``batched_dot`` are einsums
whose subscripts the public function generates, so one gradient rule (swap an
operand's subscripts with the output's) serves them all.

The output dtype is numpy's upcast of the inputs (integers stay integers);
both operands are cast to it before the product. A length known statically
on both sides of a contraction must match when the graph is built. The JAX
implementations compute with ``config.matmul_precision`` (full float32 by
default, so that float32 products on a GPU match the numpy reference).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import ones
from graph2jax.ops.elemwise import dimshuffle
from graph2jax.ops.eye import eye
from graph2jax.ops.math import cast, mul, upcast
from graph2jax.ops.reshape import reshape
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, discrete_dtypes
from graph2jax.types.variable import TensorVariable


def _matmul_precision() -> jax.lax.Precision:
    """The precision of the products of a function being compiled (``config.matmul_precision``)."""
    return jax.lax.Precision[config.matmul_precision.upper()]


# ---------------------------------------------------------------------------
# Dot: vectors and matrices


class Dot(Op):
    """The product of two vectors or matrices (each operand has 1 or 2 dimensions).

    vector·vector is the inner product (a scalar), matrix·vector and
    vector·matrix are vectors, matrix·matrix is the matrix product.
    """

    def make_node(self, x: Any, y: Any) -> Apply:
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        for k, v in enumerate((x, y)):
            if v.ndim not in (1, 2):
                raise TypeError(
                    f"Dot: input {k} {v.describe()} must have 1 or 2 dimensions, it has "
                    f"{v.ndim}; use graph2jax.tensor.dot (scalars, >2 dimensions) or matmul"
                )
        sx, sy = x.type.shape, y.type.shape
        if sx[-1] is not None and sy[0] is not None and sx[-1] != sy[0]:
            raise ValueError(
                f"Dot: incompatible shared dimension for the product of {x.describe()} of "
                f"shape {sx} and {y.describe()} of shape {sy}"
            )
        shape = sx[:-1] + sy[1:]
        return Apply(self, [x, y], [TensorType(upcast(x.dtype, y.dtype), shape)()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        x, y = (np.asarray(i, dtype=dtype) for i in inputs)
        output_storage[0][0] = np.asarray(np.dot(x, y), dtype=dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        sx, sy = input_shapes
        return [tuple(sx[:-1]) + tuple(sy[1:])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x, y = inputs
        (gz,) = output_grads
        if outputs[0].dtype in discrete_dtypes:
            return [disconnected(), disconnected()]
        if x.ndim == 1 and y.ndim == 1:
            gx, gy = mul(gz, y), mul(gz, x)
        elif x.ndim == 2 and y.ndim == 1:
            # gz·x, not x.T·gz: XLA computes a transposed matrix times a vector as a slow loop
            gx, gy = _outer_of_vectors(gz, y), Dot()(gz, x)
        elif x.ndim == 1:
            gx, gy = Dot()(y, gz), _outer_of_vectors(x, gz)
        else:
            gx, gy = Dot()(gz, y.T), Dot()(x.T, gz)
        return [_as_grad_of(gx, x), _as_grad_of(gy, y)]


@jax_funcify.register(Dot)
def _jax_dot(op: Dot, node: Apply) -> Callable[..., Any]:
    dtype, precision = node.outputs[0].dtype, _matmul_precision()

    def dot_(x: Any, y: Any) -> Any:
        product = jnp.dot(x.astype(dtype), y.astype(dtype), precision=precision)
        return jnp.asarray(product, dtype=dtype)

    return dot_


def _as_grad_of(g: TensorVariable, x: TensorVariable) -> Any:
    """``g`` as the gradient of ``x``: ``x``'s dtype, or a float one for a discrete input
    (computed as if it were continuous, as PyTensor)."""
    return g if x.dtype in discrete_dtypes else cast(g, x.dtype)


def _outer_of_vectors(x: TensorVariable, y: TensorVariable) -> TensorVariable:
    return Dot()(dimshuffle(x, (0, "x")), dimshuffle(y, ("x", 0)))


# ---------------------------------------------------------------------------
# Einsum


def _parse_subscripts(subscripts: str, ndims: Sequence[int]) -> tuple[tuple[str, ...], str]:
    """numpy's einsum subscripts with ellipses expanded to letters and the output made explicit."""
    text = subscripts.replace(" ", "")
    lhs, arrow, out = text.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        raise ValueError(
            f"einsum: subscripts {subscripts!r} name {len(ins)} operand(s), {len(ndims)} given"
        )
    for s in [*ins, out]:
        bare = s.replace("...", "", 1)
        if any(c not in string.ascii_letters for c in bare):
            raise ValueError(f"einsum: invalid subscripts {s!r} in {subscripts!r}")
    used = set(text) & set(string.ascii_letters)
    fresh = [c for c in string.ascii_letters if c not in used]
    ellipsis_dims = []
    for k, (s, nd) in enumerate(zip(ins, ndims, strict=True)):
        named = len(s.replace("...", ""))
        extra = nd - named
        if extra < 0 or (extra > 0 and "..." not in s):
            raise ValueError(
                f"einsum: operand {k} has {nd} dimension(s) but its subscripts {s!r} in "
                f"{subscripts!r} name {named}"
            )
        ellipsis_dims.append(extra if "..." in s else 0)
    batch = "".join(fresh[: max(ellipsis_dims, default=0)])
    ins = [
        s.replace("...", batch[len(batch) - e :]) for s, e in zip(ins, ellipsis_dims, strict=True)
    ]
    if not arrow:
        letters = "".join(c for c in lhs if c in used)
        out = batch + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    elif "..." in out:
        out = out.replace("...", batch)
    elif batch:
        raise ValueError(
            f"einsum: operands of {subscripts!r} have ellipsis dimensions but the output has no '...'"
        )
    if len(set(out)) != len(out) or any(c not in "".join(ins) for c in out):
        raise ValueError(
            f"einsum: each output subscript must appear once in the output and in some input: "
            f"{subscripts!r}"
        )
    return tuple(ins), out


def _letter_lengths(
    name: str, ins: Sequence[str], operands: Sequence[TensorVariable]
) -> dict[str, int | None]:
    """Each letter's static length (a length-1 axis broadcasts); a ValueError on a mismatch."""
    lengths: dict[str, set] = {}
    for s, v in zip(ins, operands, strict=True):
        for c, n in zip(s, v.type.shape, strict=True):
            lengths.setdefault(c, set()).add(n)
    result: dict[str, int | None] = {}
    for c, found in lengths.items():
        known = found - {None, 1}
        if len(known) > 1:
            shapes = ", ".join(f"{v.describe()} of shape {v.type.shape}" for v in operands)
            raise ValueError(
                f"{name}: lengths {sorted(known)} do not match along subscript {c!r} of "
                f"{','.join(ins)}, for {shapes}"
            )
        result[c] = known.pop() if known else (1 if found == {1} else None)
    return result


class Einsum(Op):
    """Einstein summation with explicit subscripts (``'ij,jk->ik'``, no ellipsis).

    Built by :func:`einsum`, :func:`matmul`, :func:`tensordot` and
    :func:`batched_dot`; ``name`` (not a parameter: it does not take part in
    equality) says which, in error messages.
    """

    __props__ = ("subscripts",)

    def __init__(self, subscripts: str, name: str = "einsum"):
        self.subscripts = subscripts
        lhs, _, self.out_subscripts = subscripts.partition("->")
        self.in_subscripts = tuple(lhs.split(","))
        self.name = name

    def __str__(self) -> str:
        return f"Einsum{{{self.subscripts}}}"

    def make_node(self, *operands: Any) -> Apply:
        operands = [as_tensor_variable(o) for o in operands]
        ins, out = _parse_subscripts(self.subscripts, [o.ndim for o in operands])
        if (ins, out) != (self.in_subscripts, self.out_subscripts):
            raise ValueError(f"Einsum needs explicit subscripts, got {self.subscripts!r}")
        lengths = _letter_lengths(self.name, ins, operands)
        dtype = upcast(*[o.dtype for o in operands])
        return Apply(self, operands, [TensorType(dtype, tuple(lengths[c] for c in out))()])

    def check_lengths(self, node: Apply, shapes: Sequence[tuple]) -> None:
        """Only a statically length-1 axis broadcasts (PyTensor's rule); other lengths must agree."""
        lengths: dict[str, set] = {}
        for s, v, shp in zip(self.in_subscripts, node.inputs, shapes, strict=True):
            for c, n, static in zip(s, shp, v.type.shape, strict=True):
                if static != 1:
                    lengths.setdefault(c, set()).add(n)
        bad = {c: sorted(found) for c, found in lengths.items() if len(found) > 1}
        if bad:
            raise ValueError(
                f"{self.name}: input shapes {[tuple(s) for s in shapes]} do not match for "
                f"{self.subscripts} (lengths by subscript: {bad}); an axis broadcasts only "
                "when its static length is 1"
            )

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        self.check_lengths(node, [np.shape(i) for i in inputs])
        operands = [np.asarray(i, dtype=dtype) for i in inputs]
        result = np.einsum(self.subscripts, *operands, optimize=len(operands) > 2)
        output_storage[0][0] = np.asarray(result, dtype=dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        shape = []
        for length, c in zip(node.outputs[0].type.shape, self.out_subscripts, strict=True):
            if length is not None:
                shape.append(constant(length, dtype="int64"))
                continue
            # an axis that is not statically 1 holds the (broadcast) length
            shape.append(
                next(
                    shp[s.index(c)]
                    for s, shp, v in zip(self.in_subscripts, input_shapes, node.inputs, strict=True)
                    if c in s and v.type.shape[s.index(c)] != 1
                )
            )
        return [tuple(shape)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        if outputs[0].dtype in discrete_dtypes:
            return [disconnected() for _ in inputs]
        return [
            _as_grad_of(self._operand_grad(k, inputs, output_grads[0]), x)
            for k, x in enumerate(inputs)
        ]

    def _operand_grad(self, k: int, inputs: list, gz: TensorVariable) -> TensorVariable:
        """The vector-Jacobian product for operand ``k``: an einsum of ``gz`` and the others.

        Operand ``k``'s subscripts become the output. A letter repeated in them
        (a diagonal) gets a fresh letter tied to the first by an identity
        matrix; a letter found in no other operand nor the output (summed in
        the forward pass) is spread back by a vector of ones; a statically
        length-1 axis (broadcast in the forward pass) is summed over and put
        back as a length-1 axis.
        """
        x, sub = inputs[k], self.in_subscripts[k]
        others = [self.out_subscripts] + [s for j, s in enumerate(self.in_subscripts) if j != k]
        operands = [gz] + [v for j, v in enumerate(inputs) if j != k]
        present = set("".join(others))
        fresh = iter(c for c in string.ascii_letters if c not in self.subscripts)
        target, length_one, seen = [], [], set()
        for p, c in enumerate(sub):
            n = x.type.shape[p]
            length = n if n is not None else x.shape[p]
            if n == 1:
                length_one.append(p)
                target.append(next(fresh))
            elif c in seen:
                target.append(next(fresh))
                operands.append(eye(length, dtype=gz.dtype))
                others.append(c + target[-1])
            else:
                seen.add(c)
                target.append(c)
                if c not in present:
                    operands.append(ones((length,), dtype=gz.dtype))
                    others.append(c)
        kept = "".join(t for p, t in enumerate(target) if p not in length_one)
        g = Einsum(f"{','.join(others)}->{kept}", self.name)(*operands)
        if length_one:
            kept_axes = iter(range(g.ndim))
            g = dimshuffle(
                g, tuple("x" if p in length_one else next(kept_axes) for p in range(x.ndim))
            )
        return cast(g, x.dtype)


@jax_funcify.register(Einsum)
def _jax_einsum(op: Einsum, node: Apply) -> Callable[..., Any]:
    subscripts, dtype, precision = op.subscripts, node.outputs[0].dtype, _matmul_precision()

    def einsum_(*operands: Any) -> Any:
        op.check_lengths(node, [jnp.shape(o) for o in operands])  # shapes are static here
        operands = [jnp.asarray(o).astype(dtype) for o in operands]
        return jnp.asarray(jnp.einsum(subscripts, *operands, precision=precision), dtype=dtype)

    return einsum_


# ---------------------------------------------------------------------------
# public functions


def einsum(subscripts: str, *operands: Any, optimize: Any = None) -> TensorVariable:
    """Einstein summation as ``numpy.einsum``: implicit or explicit output, ``...`` broadcasting.

    Parameters
    ----------
    subscripts : str
        ``'ij,jk->ik'``, ``'ii'`` (trace), ``'bij,bjk->bik'``, ``'...ij,...jk'`` ...
    *operands : tensor-like
        One per comma-separated group of subscripts.
    optimize : optional
        Accepted for PyTensor compatibility; JAX chooses the contraction order.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> gt.einsum("ii", a).eval({a: np.eye(3)})
    array(3.)
    """
    operands = [as_tensor_variable(o) for o in operands]
    ins, out = _parse_subscripts(subscripts, [o.ndim for o in operands])
    return Einsum(f"{','.join(ins)}->{out}")(*operands)


def dot(l: Any, r: Any) -> TensorVariable:  # noqa: E741 (PyTensor's argument names)
    """The dot product, as PyTensor's ``dot``.

    A scalar operand gives the elementwise product; vectors and matrices
    give :class:`Dot` (inner, matrix-vector or matrix product); with more
    dimensions it is a sum product over the last axis of ``l`` and the
    second-to-last of ``r`` (``numpy.dot``), computed by :func:`tensordot`.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.dot(x, x).eval({x: np.array([1.0, 2.0])})
    array(5.)
    """
    l, r = as_tensor_variable(l), as_tensor_variable(r)
    if l.ndim == 0 or r.ndim == 0:
        return mul(l, r)
    if l.ndim > 2 or r.ndim > 2:
        return _tensordot(l, r, [l.ndim - 1], [max(0, r.ndim - 2)], "dot")
    return Dot()(l, r)


def matmul(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The matrix product of ``numpy.matmul``: batch axes broadcast, vectors are promoted then dropped.

    Parameters
    ----------
    x1, x2 : tensor-like
        At least one dimension each; the last two axes are the matrices, the
        others are batch axes, broadcast (a statically length-1 axis broadcasts).
    dtype : str, optional
        Cast the result to this dtype.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> (gt.dtensor3("a") @ gt.dmatrix("b")).type
    TensorType(float64, shape=(None, None, None))
    """
    x1, x2 = as_tensor_variable(x1), as_tensor_variable(x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(
            f"matmul: operands cannot be scalars, got {x1.describe()} and {x2.describe()}"
        )
    if x1.ndim <= 2 and x2.ndim <= 2:
        out = Dot()(x1, x2)
    else:
        batch = string.ascii_uppercase[: max(x1.ndim, x2.ndim) - 2]
        s1 = batch[len(batch) - (x1.ndim - 2) :] + "ij" if x1.ndim > 1 else "j"
        s2 = batch[len(batch) - (x2.ndim - 2) :] + "jk" if x2.ndim > 1 else "j"
        so = batch + ("i" if x1.ndim > 1 else "") + ("k" if x2.ndim > 1 else "")
        out = Einsum(f"{s1},{s2}->{so}", "matmul")(x1, x2)
    return out if dtype is None else cast(out, dtype)


def _tensordot(
    a: TensorVariable, b: TensorVariable, axes_a: Sequence[int], axes_b: Sequence[int], name: str
) -> TensorVariable:
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(axes_a, axes_b, strict=True):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in axes_a] + [
        c for j, c in enumerate(sb) if j not in axes_b
    ]
    return Einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", name)(a, b)


def tensordot(a: Any, b: Any, axes: int | Sequence = 2) -> TensorVariable:
    """The sum product over the given axes, as ``numpy.tensordot``.

    Parameters
    ----------
    a, b : tensor-like
    axes : int or (sequence, sequence)
        An int ``n`` sums the last ``n`` axes of ``a`` with the first ``n`` of
        ``b``; a pair lists the axes of ``a`` and of ``b`` summed together.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.tensordot(gt.dtensor3("a"), gt.dmatrix("b"), axes=[[1, 2], [0, 1]]).type
    TensorType(float64, shape=(None,))
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if isinstance(axes, int | np.integer):
        n = int(axes)
        if n < 0 or n > a.ndim or n > b.ndim:
            raise ValueError(
                f"tensordot: axes={n} must be between 0 and the dimensions of {a.describe()} "
                f"({a.ndim}) and {b.describe()} ({b.ndim})"
            )
        axes_a, axes_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        if len(axes) != 2:
            raise ValueError(
                f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}"
            )
        axes_a, axes_b = ([x] if isinstance(x, int | np.integer) else list(x) for x in axes)
        if len(axes_a) != len(axes_b):
            raise ValueError(f"tensordot: axes {axes!r} list different numbers of axes for a and b")
        for v, ax in ((a, axes_a), (b, axes_b)):
            if any(not -v.ndim <= i < v.ndim for i in ax) or len(
                set(i % v.ndim for i in ax)
            ) != len(ax):
                raise ValueError(
                    f"tensordot: axes {ax} are invalid for {v.describe()} with {v.ndim} dimensions"
                )
        axes_a, axes_b = [i % a.ndim for i in axes_a], [j % b.ndim for j in axes_b]
    for i, j in zip(axes_a, axes_b, strict=True):
        na, nb = a.type.shape[i], b.type.shape[j]
        if na is not None and nb is not None and na != nb:
            raise ValueError(
                f"tensordot: axis {i} of {a.describe()} (shape {a.type.shape}) and axis {j} of "
                f"{b.describe()} (shape {b.type.shape}) have different lengths"
            )
    return _tensordot(a, b, axes_a, axes_b, "tensordot")


def outer(x: Any, y: Any) -> TensorVariable:
    """The outer product of two vectors (other operands are flattened first, as PyTensor).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.outer(gt.dvector("x"), gt.dvector("y")).type
    TensorType(float64, shape=(None, None))
    """
    x, y = (as_tensor_variable(v) for v in (x, y))
    x, y = (v if v.ndim == 1 else reshape(v, (-1,)) for v in (x, y))
    return _outer_of_vectors(x, y)


def batched_dot(a: Any, b: Any) -> TensorVariable:
    """``batched_dot(a, b)[i] = dot(a[i], b[i])`` along the shared first (batch) axis.

    A vector operand scales the other's batch entries; otherwise the last
    axis of ``a`` is summed with axis ``max(1, b.ndim - 2)`` of ``b``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.batched_dot(gt.dtensor3("a"), gt.dtensor3("b")).type
    TensorType(float64, shape=(None, None, None))
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    for name, v in (("a", a), ("b", b)):
        if v.ndim == 0:
            raise TypeError(
                f"batched_dot: {name} {v.describe()} must have at least one (batch) axis"
            )
    if a.ndim == 1 or b.ndim == 1:
        # the vector scales each batch entry of the other operand
        a = dimshuffle(a, (0,) + ("x",) * (b.ndim - 1)) if a.ndim == 1 else a
        b = dimshuffle(b, (0,) + ("x",) * (a.ndim - 1)) if b.ndim == 1 else b
        return mul(a, b)
    letters = iter(string.ascii_letters[1:])
    sa = ["a"] + [next(letters) for _ in range(a.ndim - 1)]
    sb = ["a"] + [next(letters) for _ in range(b.ndim - 1)]
    j = max(1, b.ndim - 2)
    sb[j] = sa[-1]
    out = ["a", *sa[1:-1], *(c for i, c in enumerate(sb) if i not in (0, j))]
    return Einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", "batched_dot")(a, b)


__all__ = ["Dot", "Einsum", "batched_dot", "dot", "einsum", "matmul", "outer", "tensordot"]
