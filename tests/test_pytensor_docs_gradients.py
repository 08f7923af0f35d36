"""PyTensor's gradients tutorial (doc/tutorial/gradients.rst), run with only its imports
changed, as in ``tests/test_pytensor_scripts.py`` (whose docstring gives the rules): the
assertions check the values the tutorial shows, and were checked against PyTensor 3.0.7
(all pass there but use_op_rop_implementation, which needs R_op methods graph2jax ops lack).

Sources: commit f857e69611b9 unless noted above a test.
"""

from __future__ import annotations

import numpy
import numpy as np
import pytest

import graph2jax as pytensor
import graph2jax.tensor as pt


# doc/tutorial/gradients.rst: "Computing Gradients" (x ** 2 and the logistic)
def test_computing_gradients():
    x = pt.dscalar("x")
    y = x**2
    gy = pt.grad(y, x)
    f = pytensor.function([x], gy)
    assert f(4) == 8.0
    assert numpy.allclose(f(94.2), 188.4)

    x = pt.dmatrix("x")
    s = pt.sum(1 / (1 + pt.exp(-x)))
    gs = pt.grad(s, x)
    dlogistic = pytensor.function([x], gs)
    expected = [[0.25, 0.19661193], [0.19661193, 0.10499359]]
    np.testing.assert_allclose(dlogistic([[0, 1], [-1, -2]]), expected, rtol=1e-7)


# doc/tutorial/gradients.rst: "Computing the Jacobian" / "Computing the Hessian"
# name the pytensor.gradient.jacobian and hessian macros; the manual versions
# there use scan. Same graphs and values as the tutorial, built with the macros.
def test_jacobian_and_hessian_macros():
    x = pt.dvector("x")
    y = x**2
    J = pytensor.gradient.jacobian(y, x)
    f = pytensor.function([x], J)
    np.testing.assert_array_equal(f([4, 4]), [[8.0, 0.0], [0.0, 8.0]])

    x = pt.dvector("x")
    y = x**2
    cost = y.sum()
    H = pytensor.gradient.hessian(cost, x)
    f = pytensor.function([x], H)
    np.testing.assert_array_equal(f([4, 4]), [[2.0, 0.0], [0.0, 2.0]])


# doc/tutorial/gradients.rst at commit 9330f066c27c (before Rop/Lop were renamed
# pushforward/pullback): "L-operator" and "Hessian times a Vector" (both ways)
def test_lop_and_hessian_times_vector():
    W = pt.dmatrix("W")
    v = pt.dvector("v")
    x = pt.dvector("x")
    y = pt.dot(x, W)
    VJ = pytensor.gradient.Lop(y, W, v)
    f = pytensor.function([v, x], VJ)
    np.testing.assert_array_equal(f([2, 2], [0, 1]), [[0.0, 0.0], [2.0, 2.0]])

    x = pt.dvector("x")
    v = pt.dvector("v")
    y = pt.sum(x**2)
    gy = pt.grad(y, x)
    vH = pt.grad(pt.sum(gy * v), x)
    f = pytensor.function([x, v], vH)
    np.testing.assert_array_equal(f([4, 4], [2, 2]), [4.0, 4.0])

    x = pt.dvector("x")
    v = pt.dvector("v")
    y = pt.sum(x**2)
    gy = pt.grad(y, x)
    Hv = pytensor.gradient.Rop(gy, x, v)
    f = pytensor.function([x, v], Hv)
    np.testing.assert_array_equal(f([4, 4], [2, 2]), [4.0, 4.0])


# doc/tutorial/gradients.rst at commit 9330f066c27c: "R-operator". The page shows
# array([2., 2.]), but the result dot(x, V) does not depend on W, and PyTensor
# 3.0.7 itself raises UnusedInputError for W here; graph2jax does the same.
# PyTensor's use_op_rop_implementation=True path needs Op.R_op, which graph2jax
# ops do not define: it says so with a ValueError.
def test_rop_example_raises_like_pytensor():
    W = pt.dmatrix("W")
    V = pt.dmatrix("V")
    x = pt.dvector("x")
    y = pt.dot(x, W)
    JV = pytensor.gradient.Rop(y, W, V)
    with pytest.raises(pytensor.UnusedInputError):
        pytensor.function([W, V, x], JV)
    f = pytensor.function([W, V, x], JV, on_unused_input="ignore")
    np.testing.assert_array_equal(f([[1, 1], [1, 1]], [[2, 2], [2, 2]], [0, 1]), [2.0, 2.0])
    with pytest.raises(ValueError, match="R_op"):
        pytensor.gradient.Rop(y, W, V, use_op_rop_implementation=True)


# doc/tutorial/gradients.rst at commit 9330f066c27c: the builtin helper
def test_hessian_vector_product_helper():
    x = pt.dvector("x")
    v = pt.dvector("v")
    y = pt.sum(x**2)
    Hv = pytensor.gradient.hessian_vector_product(y, x, v)
    f = pytensor.function([x, v], Hv)
    np.testing.assert_array_equal(f([4, 4], [2, 2]), [4.0, 4.0])


# doc/tutorial/gradients.rst at commit 9330f066c27c: "Using automatic vectorization"
def test_jacobian_by_vectorizing_lop():
    from graph2jax.gradient import Lop
    from graph2jax.graph import vectorize_graph

    x = pt.dvector("x")
    y = x**2
    row_cotangent = pt.dvector("row_cotangent")  # Helper variable, replaced by vectorization
    J_row = Lop(y, x, row_cotangent)
    J = vectorize_graph(J_row, replace={row_cotangent: pt.eye(x.size)})
    f = pytensor.function([x], J)
    np.testing.assert_array_equal(f([4, 4]), [[8.0, 0.0], [0.0, 8.0]])
