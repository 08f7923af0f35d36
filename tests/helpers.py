"""The reference-comparison helper every op test uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import graph2jax as g


def compare_jax_and_numpy(
    inputs: Sequence[Any],
    outputs: Any,
    values: Sequence[Any],
    expected: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> list[np.ndarray]:
    """Compile ``outputs`` in FAST_RUN (jitted JAX) and NUMPY (each op's ``perform``),
    run both on ``values`` and assert equal dtypes, shapes and values; when
    ``expected`` is given (e.g. a direct numpy formula) the results must match it too.

    Returns the JAX results.
    """
    single = not isinstance(outputs, list | tuple)
    outs = [outputs] if single else list(outputs)
    f_jax = g.function(list(inputs), outs, on_unused_input="ignore")
    f_np = g.function(list(inputs), outs, mode="NUMPY", on_unused_input="ignore")
    got, ref = f_jax(*values), f_np(*values)
    wanted = None if expected is None else ([expected] if single else list(expected))
    for k, (a, b, var) in enumerate(zip(got, ref, outs, strict=True)):
        assert isinstance(a, np.ndarray), f"output {k} is {type(a)}, not a numpy array"
        assert a.dtype == np.dtype(var.dtype), (
            f"output {k}: dtype {a.dtype}, graph says {var.dtype}"
        )
        assert b.dtype == a.dtype, f"output {k}: numpy reference dtype {b.dtype} != {a.dtype}"
        assert a.shape == b.shape, f"output {k}: shapes {a.shape} (jax) != {b.shape} (numpy)"
        _assert_close(a, b, rtol, atol)
        if wanted is not None:
            _assert_close(a, np.asarray(wanted[k]), rtol, atol)
    return got


def _assert_close(a: np.ndarray, b: np.ndarray, rtol: float | None, atol: float | None) -> None:
    if a.dtype.kind in "fc":
        low = a.dtype in (np.float32, np.complex64)
        np.testing.assert_allclose(
            a, b, rtol=rtol or (1e-4 if low else 1e-7), atol=atol or (1e-5 if low else 1e-10)
        )
    else:
        np.testing.assert_array_equal(a, b)


def check_infer_shape(inputs: Sequence[Any], outputs: Sequence[Any], values: Sequence[Any]) -> None:
    """Each output's ``op.infer_shape`` (fed the symbolic shapes of its node's inputs)
    evaluates, in one compiled function, to the shape the output actually has."""
    import graph2jax.tensor as gt

    shapes = []
    for out in outputs:
        node = out.owner
        in_shapes = [[gt.shape_i(i, k) for k in range(i.ndim)] for i in node.inputs]
        entries = node.op.infer_shape(None, node, in_shapes)[out.index]
        shapes.append(gt.stack([gt.cast(e, "int64") for e in entries]) if entries else None)
    f = g.function(list(inputs), list(outputs) + [s for s in shapes if s is not None])
    results = f(*values)
    got, inferred = results[: len(outputs)], iter(results[len(outputs) :])
    for out, value, shape in zip(outputs, got, shapes, strict=True):
        want = () if shape is None else tuple(next(inferred))
        assert value.shape == want, f"{out.owner.op}: infer_shape says {want}, got {value.shape}"


def random_value(
    rng: np.random.Generator, dtype: str, shape: tuple, low: int = -5, high: int = 5
) -> np.ndarray:
    """A random array of ``dtype`` and ``shape``: coin flips for bool, integers in
    ``[low, high)`` for integer dtypes, standard normal values for the others."""
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith(("int", "uint")):
        return rng.integers(low, high, size=shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)
