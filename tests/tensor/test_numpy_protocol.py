"""numpy functions on symbolic variables build graph2jax nodes (``__array_ufunc__``,
``__array_function__``)."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt

X = np.array([[1.0, 4.0], [9.0, 16.0]])
V = np.array([1.0, 2.0])


@pytest.fixture(scope="module")
def evaluated():
    """Every expression below compiled into one function of x (a matrix) and v (a vector)."""
    x, v = gt.dmatrix("x"), gt.dvector("v")
    exprs = {
        "sqrt": (np.sqrt(x), np.sqrt(X)),
        "exp": (np.exp(v), np.exp(V)),
        "add": (np.add(x, 1), X + 1),
        "radd_array": (V + v, V + V),
        "multiply": (np.multiply(v, V), V * V),
        "divide": (np.divide(x, 2.0), X / 2.0),
        "negative": (np.negative(v), -V),
        "absolute": (np.abs(-v), V),
        "maximum": (np.maximum(v, 1.5), np.maximum(V, 1.5)),
        "arctan2": (np.arctan2(v, 2.0), np.arctan2(V, 2.0)),
        "greater": (np.greater(v, 1.5), V > 1.5),
        "dot": (np.dot(x, v), X @ V),
        "matmul": (np.matmul(x, x), X @ X),
        "sum": (np.sum(x), X.sum()),
        "sum_axis": (np.sum(x, axis=0), X.sum(axis=0)),
        "mean": (np.mean(x, axis=1), X.mean(axis=1)),
        "max": (np.max(x), X.max()),
        "amax": (np.amax(x, axis=0), X.max(axis=0)),
        "transpose": (np.transpose(x), X.T),
        "reshape": (np.reshape(x, (4,)), X.reshape(4)),
        "concatenate": (np.concatenate([v, v]), np.concatenate([V, V])),
        "where": (np.where(v > 1.5, v, 0.0), np.where(V > 1.5, V, 0.0)),
        "clip": (np.clip(v, 1.2, 1.8), np.clip(V, 1.2, 1.8)),
    }
    names = list(exprs)
    f = g.function([x, v], [exprs[n][0] for n in names], on_unused_input="ignore")
    got = f(X, V)
    return {n: (exprs[n][0], got[i], exprs[n][1]) for i, n in enumerate(names)}


@pytest.mark.parametrize(
    "name",
    "sqrt exp add radd_array multiply divide negative absolute maximum arctan2 greater dot "
    "matmul sum sum_axis mean max amax transpose reshape concatenate where clip".split(),
)
def test_numpy_function_builds_a_node(evaluated, name):
    var, got, expected = evaluated[name]
    assert isinstance(var, gt.TensorVariable) and var.owner is not None
    np.testing.assert_allclose(got, expected)


def test_numpy_functions_without_a_symbolic_form_keep_numpy_behaviour():
    x = gt.dmatrix("x")
    assert np.ndim(x) == 2  # numpy's own implementation, through x.ndim
    with pytest.raises(TypeError):
        np.sqrt(x, out=np.empty(2))
    with pytest.raises(TypeError):
        np.add.reduce(x)  # ufunc methods have no symbolic form


def test_array_equality_stays_identity():
    v = gt.dvector("v")
    assert (V == v) is False and (V != v) is True
    assert v in [V, v]


def test_numpy_scalar_on_the_left_is_symbolic():
    v = gt.dvector("v")
    out = np.float64(2.0) * v
    assert isinstance(out, gt.TensorVariable)
    np.testing.assert_allclose(out.eval({v: V}), 2 * V)
