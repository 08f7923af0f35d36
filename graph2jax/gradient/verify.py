"""``verify_grad``: the symbolic gradient checked against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graph2jax.gradient.reverse import grad
from graph2jax.graph.basic import Variable
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType


class GradientError(Exception):
    """The symbolic gradient and the finite differences of :func:`verify_grad` disagree.

    Attributes
    ----------
    arg : int
        Index of the input whose gradient is wrong.
    err_pos : int
        Flat position of the worst element in that input.
    shape : tuple
        Shape of that input.
    val1, val2 : float
        The symbolic and the numeric gradient at ``err_pos``.
    abs_err, rel_err : float
        Their absolute and relative difference there.
    abs_tol, rel_tol : float
        The tolerances that were exceeded (both are).
    """

    def __init__(
        self,
        arg: int,
        err_pos: int,
        shape: tuple,
        val1: float,
        val2: float,
        abs_err: float,
        rel_err: float,
        abs_tol: float,
        rel_tol: float,
    ):
        super().__init__()
        self.arg, self.err_pos, self.shape = arg, err_pos, shape
        self.val1, self.val2 = val1, val2
        self.abs_err, self.rel_err = abs_err, rel_err
        self.abs_tol, self.rel_tol = abs_tol, rel_tol

    def __str__(self) -> str:
        return (
            f"GradientError: the symbolic gradient of input {self.arg} (shape {self.shape}) is "
            f"{self.val1!r} at flat position {self.err_pos} but finite differences give "
            f"{self.val2!r}: absolute error {self.abs_err:.3g} > {self.abs_tol:.3g} and relative "
            f"error {self.rel_err:.3g} > {self.rel_tol:.3g}"
        )


#: default absolute and relative tolerances of verify_grad, by input dtype (PyTensor's)
_TYPE_TOL = {"float32": 1e-2, "float64": 1e-4}
#: central-difference steps, by dtype: about the cube root of the dtype's resolution
_TYPE_EPS = {"float32": 3e-3, "float64": 1e-6}


def central_differences(
    f: Callable[..., float], pt: list[np.ndarray], eps: float | None = None
) -> list[np.ndarray]:
    """Central finite differences of the scalar function ``f`` at ``pt`` (one array per input), in float64."""
    grads = []
    for k, p in enumerate(pt):
        step = eps if eps is not None else _TYPE_EPS[str(p.dtype)]
        g = np.zeros(p.shape, dtype="float64")
        point = list(pt)
        for pos in range(p.size):
            up, down = p.copy(), p.copy()
            up.flat[pos] += step
            down.flat[pos] -= step
            point[k] = up
            f_up = f(*point)
            point[k] = down
            f_down = f(*point)
            # divide by the step actually taken, after rounding to the input's dtype
            g.flat[pos] = (f_up - f_down) / (float(up.flat[pos]) - float(down.flat[pos]))
        grads.append(g)
    return grads


def _abs_rel_err(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    abs_err = np.abs(a - b)
    return abs_err, abs_err / np.maximum(np.abs(a) + np.abs(b), 1e-8)


def verify_grad(
    fun: Callable[..., Variable],
    pt: Sequence[Any],
    n_tests: int = 2,
    rng: np.random.Generator | np.random.RandomState | None = None,
    eps: float | None = None,
    out_type: str | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: Any = None,
    cast_to_output_type: bool = False,
    no_debug_ref: bool = True,
) -> None:
    """Check the symbolic gradient of ``fun`` at ``pt`` against finite differences.

    ``fun`` maps symbolic inputs of ``pt``'s types to one tensor ``o``; with a
    random projection ``r``, the gradient of ``sum(r * o)`` (compiled with
    ``mode``) is compared with central finite differences of the same cost
    computed in numpy from the compiled ``o``, ``n_tests`` times with new
    projections.

    Parameters
    ----------
    fun : callable
        ``fun(*inputs) -> tensor variable``.
    pt : list of arrays
        The point; float arrays (python floats become float64).
    n_tests : int
        How many random projections to try.
    rng : numpy Generator or RandomState, optional
        Source of the projections (a fresh generator when None).
    eps : float, optional
        Finite-difference step (default by dtype: 1e-6 for float64, 3e-3 for float32).
    out_type : str, optional
        Only real outputs are supported; a complex ``out_type`` is a ValueError.
    abs_tol, rel_tol : float, optional
        Tolerances (default by dtype: 1e-4 for float64, 1e-2 for float32); an
        element fails when both are exceeded.
    mode : Mode or str, optional
        The compilation mode of the functions compared.
    cast_to_output_type : bool
        Cast the projection to a float32 output's dtype (else it is float64).
    no_debug_ref : bool
        Accepted for PyTensor compatibility (there is no debug reference to skip).

    Raises
    ------
    GradientError
        When they disagree; its attributes locate the worst element.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> verify_grad(lambda x: gt.tanh(x) * x, [np.array([0.5, -1.0])], rng=np.random.default_rng(0))
    """
    # compiling is a layer above the gradients: the one call upward, when verify_grad runs
    from graph2jax.compile.function import function

    if out_type is not None and "complex" in str(out_type):
        raise ValueError("verify_grad: complex outputs are not supported")
    if not isinstance(pt, list | tuple):
        raise TypeError(
            f"verify_grad: pt must be a list or tuple of arrays, got {type(pt).__name__}"
        )
    if rng is None:
        rng = np.random.default_rng()
    pt = [np.array(p) for p in pt]
    for i, p in enumerate(pt):
        if str(p.dtype) not in _TYPE_TOL:
            raise TypeError(
                f"verify_grad works only with float32/float64 inputs; input {i} has dtype {p.dtype}"
            )
    abs_tol = max(_TYPE_TOL[str(p.dtype)] for p in pt) if abs_tol is None else abs_tol
    rel_tol = max(_TYPE_TOL[str(p.dtype)] for p in pt) if rel_tol is None else rel_tol

    inputs = [
        TensorType(p.dtype, tuple(1 if s == 1 else None for s in p.shape))(name=f"input {i}")
        for i, p in enumerate(pt)
    ]
    out = fun(*inputs)
    if isinstance(out, list | tuple):
        raise TypeError(
            "verify_grad: fun returned a list; it must return a single tensor (check one "
            "output at a time)"
        )
    out = as_tensor_variable(out)
    out_fn = function(inputs, out, mode=mode, on_unused_input="ignore")
    out_shape = np.shape(out_fn(*pt))

    def projection() -> np.ndarray:
        plain = rng.random(out_shape) + 0.5
        return plain.astype(out.dtype) if cast_to_output_type and out.dtype == "float32" else plain

    # d sum(r * o) / d inputs is the gradient seeded with r on o: no reduction op needed
    seed = TensorType(out.dtype, out.type.shape)(name="projection")
    sym = grad(None, inputs, known_grads={out: seed}, disconnected_inputs="ignore")
    grad_fn = function([*inputs, seed], sym, mode=mode, on_unused_input="ignore")

    for _ in range(n_tests):
        r = projection()

        def cost(*point: np.ndarray, r: np.ndarray = r) -> float:
            return float(np.sum(r * np.asarray(out_fn(*point), dtype="float64")))

        numeric = central_differences(cost, pt, eps)
        symbolic = grad_fn(*pt, np.asarray(r, dtype=out.dtype))
        worst = None
        for k, (a, b) in enumerate(zip(symbolic, numeric, strict=True)):
            abs_err, rel_err = _abs_rel_err(np.asarray(a, dtype="float64"), b)
            if abs_err.size == 0:
                continue
            scaled = np.minimum(abs_err / abs_tol, rel_err / rel_tol).ravel()
            pos = int(scaled.argmax())
            if worst is None or scaled[pos] > worst[0]:
                worst = (scaled[pos], k, pos, float(abs_err.flat[pos]), float(rel_err.flat[pos]))
        if worst is not None and worst[3] > abs_tol and worst[4] > rel_tol:
            _, k, pos, a_err, r_err = worst
            raise GradientError(
                k,
                pos,
                pt[k].shape,
                float(np.asarray(symbolic[k]).flat[pos]),
                float(numeric[k].flat[pos]),
                a_err,
                r_err,
                abs_tol,
                rel_tol,
            )
