"""General (non-symmetric) eigenproblems and linear matrix equations: ``eig``, ``schur``,
``solve_sylvester``, ``solve_continuous_lyapunov`` and ``solve_discrete_lyapunov``.

``eig`` and ``schur`` are ops without gradients (as in PyTensor), computed by
LAPACK's ``geev``/``gees`` on the CPU (XLA has no GPU kernel for them). The
matrix equations are graphs: the Kronecker-product linear system of the
equation, solved by :func:`solve`, so they run on any device and their
gradients follow; the system has ``(n m)**2`` entries, which suits the small
matrices (up to a few dozen rows) they are used with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import grad_not_implemented
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import eye
from graph2jax.ops.elemwise import conj
from graph2jax.ops.elemwise_op import cast
from graph2jax.ops.linalg import _matrix_input, _mT, _out, linalg_dtype
from graph2jax.ops.linalg_products import _dim, _kron_axes
from graph2jax.ops.linalg_solve import solve
from graph2jax.ops.reshape import reshape
from graph2jax.types.tensor_type import complex_dtypes
from graph2jax.types.variable import TensorVariable


def _complex_of(dtype: str) -> str:
    return dtype if dtype in complex_dtypes else np.result_type(dtype, np.complex64).name


class Eig(Op):
    """The eigenvalues and right eigenvectors (columns, unit norm) of each square matrix, complex."""

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        dtype = _complex_of(linalg_dtype(x.dtype))
        return Apply(self, [x], [_out(dtype, x.type.shape[:-1]), _out(dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = linalg_dtype(node.inputs[0].dtype)
        for k, value in enumerate(np.linalg.eig(np.asarray(inputs[0], dtype=dtype))):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        return [tuple(shape[:-1]), tuple(shape)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [grad_not_implemented(self, 0, inputs[0])]


@jax_funcify.register(Eig)
def _jax_eig(op: Eig, node: Apply) -> Callable[..., Any]:
    dtype = linalg_dtype(node.inputs[0].dtype)

    def eig_(x: Any) -> tuple:
        w, v = jnp.linalg.eig(jnp.asarray(x, dtype=dtype))
        return w, v

    return eig_


def eig(x: Any) -> tuple[TensorVariable, TensorVariable]:
    """Eigenvalues ``w`` and right eigenvectors ``v`` (columns) of a general square matrix.

    Both are complex (``complex64`` for float32 inputs, else ``complex128``);
    the order of the eigenvalues is LAPACK's. No gradient, as in PyTensor.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> w, v = gt.linalg.eig(x)
    >>> w.eval({x: np.diag([2.0, 3.0])})
    array([2.+0.j, 3.+0.j])
    """
    w, v = Eig()(x)
    return w, v


class Schur(Op):
    """The Schur form ``T`` and unitary ``Z`` of each square matrix: ``A == Z T Z^H``."""

    __props__ = ("output",)

    def __init__(self, output: str = "real"):
        if output not in ("real", "complex"):
            raise ValueError(f"schur: output must be 'real' or 'complex', got {output!r}")
        self.output = output

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        dtype = linalg_dtype(x.dtype)
        if self.output == "complex":
            dtype = _complex_of(dtype)
        return Apply(self, [x], [_out(dtype, x.type.shape), _out(dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        x = np.asarray(inputs[0], dtype=dtype)
        t, z = np.empty_like(x), np.empty_like(x)
        for idx in np.ndindex(x.shape[:-2]):
            t[idx], z[idx] = scipy.linalg.schur(x[idx], output=self.output)
        output_storage[0][0], output_storage[1][0] = t, z

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [input_shapes[0], input_shapes[0]]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [grad_not_implemented(self, 0, inputs[0])]


@jax_funcify.register(Schur)
def _jax_schur(op: Schur, node: Apply) -> Callable[..., Any]:
    dtype, output = node.outputs[0].dtype, op.output

    def schur_(x: Any) -> tuple:
        t, z = jax.scipy.linalg.schur(jnp.asarray(x, dtype=dtype), output=output)
        return t, z

    return schur_


def schur(
    A: Any, output: str = "real", sort: str | None = None
) -> tuple[TensorVariable, TensorVariable]:
    """The Schur decomposition ``A == Z @ T @ Z.conj().T``, as ``scipy.linalg.schur``.

    ``output='real'`` gives the real (quasi-triangular) form of a real
    matrix, ``'complex'`` the triangular complex one. Runs on the CPU only
    (XLA has no GPU kernel); no gradient, as in PyTensor.

    Raises
    ------
    NotImplementedError
        For ``sort`` (eigenvalue reordering), which XLA's Schur lacks.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> t, z = gt.linalg.schur(a)
    >>> t.eval({a: np.array([[1.0, 2.0], [0.0, 3.0]])})
    array([[1., 2.],
           [0., 3.]])
    """
    if sort is not None:
        raise NotImplementedError(f"schur: sort={sort!r} is not supported (XLA's Schur)")
    t, z = Schur(output)(A)
    return t, z


# ---------------------------------------------------------------------------
# linear matrix equations, as Kronecker-product systems


def _vec(x: TensorVariable) -> TensorVariable:
    """Each matrix of ``x`` flattened row-major."""
    return reshape(x, [*(_dim(x, k) for k in range(x.ndim - 2)), _dim(x, -2) * _dim(x, -1)])


def _unvec(x: TensorVariable, like: TensorVariable) -> TensorVariable:
    return reshape(x, [*(_dim(x, k) for k in range(x.ndim - 1)), _dim(like, -2), _dim(like, -1)])


def _float_matrices(name: str, *xs: Any) -> list[TensorVariable]:
    xs_ = [_matrix_input(name, x, square=False) for x in xs]
    dtype = linalg_dtype(*(x.dtype for x in xs_))
    return [cast(x, dtype) if x.dtype != dtype else x for x in xs_]


def solve_sylvester(A: Any, B: Any, Q: Any) -> TensorVariable:
    """``X`` with ``A @ X + X @ B == Q`` (``A`` (M, M), ``B`` (N, N), ``Q`` (M, N)), batched.

    Solved as the ``M N`` x ``M N`` system ``(A (x) I + I (x) B.T) vec(X) = vec(Q)``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b, q = gt.dmatrix("a"), gt.dmatrix("b"), gt.dmatrix("q")
    >>> x = gt.linalg.solve_sylvester(a, b, q)
    >>> x.eval({a: np.eye(2), b: np.eye(2), q: 4 * np.eye(2)})
    array([[2., 0.],
           [0., 2.]])
    """
    A, B, Q = _float_matrices("solve_sylvester", A, B, Q)
    eye_m = eye(_dim(A, -1), dtype=A.dtype)
    eye_n = eye(_dim(B, -1), dtype=B.dtype)
    system = _kron_axes(A, eye_n, 2) + _kron_axes(eye_m, _mT(B), 2)
    return _unvec(solve(system, _vec(Q), b_ndim=1), Q)


def solve_continuous_lyapunov(A: Any, Q: Any) -> TensorVariable:
    """``X`` with ``A @ X + X @ A^H == Q``, as ``scipy.linalg.solve_continuous_lyapunov``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, q = gt.dmatrix("a"), gt.dmatrix("q")
    >>> gt.linalg.solve_continuous_lyapunov(a, q).eval({a: np.eye(2), q: np.eye(2)})
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    A, Q = _float_matrices("solve_continuous_lyapunov", A, Q)
    return solve_sylvester(A, conj(_mT(A)) if A.dtype in complex_dtypes else _mT(A), Q)


def solve_discrete_lyapunov(A: Any, Q: Any, method: str = "bilinear") -> TensorVariable:
    """``X`` with ``A @ X @ A^H - X + Q == 0``, as ``scipy.linalg.solve_discrete_lyapunov``.

    Both ``method`` values ('direct', 'bilinear') solve the same
    Kronecker system ``(I - A (x) conj(A)) vec(X) = vec(Q)``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, q = gt.dmatrix("a"), gt.dmatrix("q")
    >>> gt.linalg.solve_discrete_lyapunov(a, q).eval({a: 0.5 * np.eye(2), q: np.eye(2)})
    array([[1.33333333, 0.        ],
           [0.        , 1.33333333]])
    """
    if method not in ("direct", "bilinear"):
        raise ValueError(
            f"solve_discrete_lyapunov: method must be 'direct' or 'bilinear', got {method!r}"
        )
    A, Q = _float_matrices("solve_discrete_lyapunov", A, Q)
    n = _dim(A, -1)
    conj_a = conj(A) if A.dtype in complex_dtypes else A
    system = eye(n * n, dtype=A.dtype) - _kron_axes(A, conj_a, 2)
    return _unvec(solve(system, _vec(Q), b_ndim=1), Q)


__all__ = [
    "Eig",
    "Schur",
    "eig",
    "schur",
    "solve_continuous_lyapunov",
    "solve_discrete_lyapunov",
    "solve_sylvester",
]
