"""Least squares: ``lstsq``, as ``numpy.linalg.lstsq`` with shapes a compiled function can know.

numpy returns empty residuals when the matrix is rank deficient or has no
more rows than columns, a shape decided by the data; here the residuals are
always the ``K`` sums of squared residuals of the solution (``K`` the columns
of ``b``, 1 for a vector), in numpy and JAX alike. No gradient, as PyTensor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import grad_not_implemented
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import lt, switch
from graph2jax.ops.elemwise_op import cast
from graph2jax.ops.linalg import _out, linalg_dtype
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def _cutoff_factor(xp: Any, rcond: Any, dtype: str, m: int, n: int) -> Any:
    """numpy's relative cutoff: ``rcond``, machine epsilon if negative, ``eps * max(m, n)`` if NaN."""
    eps = np.finfo(dtype).eps
    rcond = xp.asarray(rcond, dtype=dtype)
    return xp.where(xp.isnan(rcond), eps * max(m, n), xp.where(rcond < 0, eps, rcond))


class Lstsq(Op):
    """``(x, residuals, rank, s)`` minimizing ``|a @ x - b|`` for a matrix ``a`` and ``b`` of 1 or 2 axes."""

    def make_node(self, a: Any, b: Any, rcond: Any) -> Apply:
        a, b = as_tensor_variable(a), as_tensor_variable(b)
        if a.ndim != 2 or b.ndim not in (1, 2):
            raise ValueError(
                f"lstsq needs a matrix and a vector or matrix; got {a.describe()} of ndim "
                f"{a.ndim} and {b.describe()} of ndim {b.ndim}"
            )
        (m, n), mb = a.type.shape, b.type.shape[0]
        if m is not None and mb is not None and m != mb:
            raise ValueError(
                f"lstsq: {a.describe()} of shape {a.type.shape} and {b.describe()} of shape "
                f"{b.type.shape} have different numbers of rows"
            )
        dtype = linalg_dtype(a.dtype, b.dtype)
        rcond = cast(as_tensor_variable(rcond), dtype)
        k = b.type.shape[1] if b.ndim == 2 else 1
        k_min = None if m is None or n is None else min(m, n)
        outputs = [
            _out(dtype, (n, *b.type.shape[1:])),
            _out(dtype, (k,)),
            _out("int32", ()),
            _out(dtype, (k_min,)),
        ]
        return Apply(self, [a, b, rcond], outputs)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        a, b = (np.asarray(v, dtype=dtype) for v in inputs[:2])
        cutoff = _cutoff_factor(np, inputs[2], dtype, *a.shape)
        x, _, rank, s = np.linalg.lstsq(a, b, rcond=float(cutoff))
        resid = np.sum(np.square(a @ x - b), axis=0)
        values = (x, np.atleast_1d(resid), rank, s)
        for k, value in enumerate(values):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (m, n), sb = input_shapes[0], input_shapes[1]
        k = sb[1] if len(sb) == 2 else 1
        return [(n, *sb[1:]), (k,), (), (switch(lt(m, n), m, n),)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [grad_not_implemented(self, k, x) for k, x in enumerate(inputs)]


@jax_funcify.register(Lstsq)
def _jax_lstsq(op: Lstsq, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype

    def lstsq_(a: Any, b: Any, rcond: Any) -> tuple:
        a, b = jnp.asarray(a, dtype=dtype), jnp.asarray(b, dtype=dtype)
        u, s, vh = jnp.linalg.svd(a, full_matrices=False)
        keep = s > _cutoff_factor(jnp, rcond, dtype, *a.shape) * s[0]
        inv_s = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0)
        ub = u.T @ b
        x = vh.T @ (inv_s[:, None] * ub if b.ndim == 2 else inv_s * ub)
        resid = jnp.atleast_1d(jnp.sum(jnp.square(a @ x - b), axis=0))
        return x, resid, jnp.sum(keep, dtype="int32"), s

    return lstsq_


def lstsq(
    a: Any, b: Any, rcond: Any = None
) -> tuple[TensorVariable, TensorVariable, TensorVariable, TensorVariable]:
    """The least-squares solution ``x`` of ``a @ x ~= b`` (``numpy.linalg.lstsq``).

    Parameters
    ----------
    a : (M, N) matrix
    b : (M,) or (M, K) tensor
    rcond : float, optional
        Singular values below ``rcond`` times the largest one count as zero;
        negative means machine precision; None (the default) ``eps * max(M, N)``.

    Returns
    -------
    x : (N,) or (N, K)
    residuals : (K,)
        The squared norms of ``a @ x - b``'s columns (always computed; see the module).
    rank : int32 scalar
    s : (min(M, N),) singular values of ``a``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dvector("b")
    >>> x, res, rank, s = gt.linalg.lstsq(a, b)
    >>> x.eval({a: np.array([[1.0], [1.0]]), b: np.array([1.0, 3.0])})
    array([2.])
    """
    x, resid, rank, s = Lstsq()(a, b, np.nan if rcond is None else rcond)
    return x, resid, rank, s


__all__ = ["Lstsq", "lstsq"]
