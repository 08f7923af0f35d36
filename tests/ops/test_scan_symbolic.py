"""Scans whose length is known only while running: a symbolic ``n_steps`` and ``until`` loops.

Compiled once per capacity (the next power of two of the length), their
values equal the numpy reference's and their gradients run back over the
steps taken.
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import RecompileWarning
from graph2jax.config import config
from graph2jax.scan import until


@pytest.fixture(scope="module")
def power():
    A, k = gt.dvector("A"), gt.iscalar("k")
    result, _ = g.scan(
        lambda prior, A: prior * A, outputs_info=gt.ones_like(A), non_sequences=A, n_steps=k
    )
    last = result[-1]
    return (
        g.function([A, k], [result, last, g.grad(last.sum(), A)]),
        g.function([A, k], [result, last, g.grad(last.sum(), A)], mode="NUMPY"),
    )


def test_power_by_scan_compiles_once_per_capacity_with_values_of_numpy(power):
    f, f_numpy = power
    a = np.array([1.0, 1.002, 0.997, 0.5])  # a**1000 stays finite
    ks = [1, 2, 3, 5, 8, 9, 17, 31, 33, 64, 100, 127, 200, 255, 256, 300, 511, 700, 1000]
    for k in ks:
        trace, last, grad = f(a, k)
        ref_trace, ref_last, ref_grad = f_numpy(a, k)
        assert trace.shape == (k, 4)
        np.testing.assert_array_equal(trace, ref_trace)
        np.testing.assert_array_equal(last, ref_last)
        np.testing.assert_allclose(last, a**k, rtol=1e-12)
        np.testing.assert_allclose(grad, k * a ** (k - 1), rtol=1e-12)
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-12)
    assert f.compile_count <= math.ceil(math.log2(max(ks))) + 1


def test_power_of_zero_steps_reads_the_last_row_nowhere_but_its_gradient_is_zero():
    A, k = gt.dvector("A"), gt.iscalar("k")
    result, _ = g.scan(
        lambda prior, A: prior * A, outputs_info=gt.ones_like(A), non_sequences=A, n_steps=k
    )
    cost = result.sum()
    for mode in (None, "NUMPY"):
        f = g.function([A, k], [result, g.grad(cost, A)], mode=mode)
        trace, grad = f(np.array([2.0, 3.0]), 0)
        assert trace.shape == (0, 2)
        np.testing.assert_array_equal(grad, [0.0, 0.0])


def test_rnn_with_a_symbolic_length_matches_numpy_values_and_gradients():
    W, U, X, h0 = gt.dmatrix("W"), gt.dmatrix("U"), gt.dtensor3("X"), gt.dmatrix("h0")
    L = gt.iscalar("L")
    hs, _ = g.scan(
        lambda x, h, W, U: gt.tanh(gt.dot(h, W) + gt.dot(x, U)),
        sequences=X,
        outputs_info=h0,
        non_sequences=[W, U],
        n_steps=L,
    )
    loss = gt.mean(hs**2)
    outs = [loss, *g.grad(loss, [W, U, X, h0]), hs]
    f = g.function([W, U, X, h0, L], outs)
    f_numpy = g.function([W, U, X, h0, L], outs, mode="NUMPY")
    rng = np.random.default_rng(0)
    values = [
        rng.normal(size=(4, 4)) * 0.5,
        rng.normal(size=(3, 4)) * 0.5,
        rng.normal(size=(20, 2, 3)),
        rng.normal(size=(2, 4)),
    ]
    for n in (1, 3, 7, 8, 13, 20):
        for got, want in zip(f(*values, n), f_numpy(*values, n), strict=True):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
    assert f.compile_count <= 6  # capacities 1, 4, 8, 16 and the sequence's 20 rows
    assert f.maker.linked().static is None, "the ragged form served every call"


@pytest.fixture(scope="module")
def doubling():
    x0, w, limit = gt.dscalar("x0"), gt.dscalar("w"), gt.iscalar("limit")
    trace, _ = g.scan(
        lambda p, w: (p * w + 1.0, until(p * w + 1.0 > 50.0)),
        outputs_info=x0,
        non_sequences=w,
        n_steps=limit,
    )
    cost = (trace**2).sum()
    outs = [trace, cost, *g.grad(cost, [x0, w])]
    return g.function([x0, w, limit], outs), g.function([x0, w, limit], outs, mode="NUMPY")


def _hand_written(x0, w, steps):
    def cost(x0, w):
        def step(p, _):
            p = p * w + 1.0
            return p, p

        return jnp.sum(jax.lax.scan(step, x0, None, length=steps)[1] ** 2)

    return jax.value_and_grad(cost, argnums=(0, 1))(x0, w)


def test_until_stops_early_with_values_length_and_gradient_of_a_fixed_length_scan(doubling):
    f, f_numpy = doubling
    for x0, w, limit in [(1.0, 2.0, 100), (0.5, 1.5, 100), (1.0, 2.0, 3), (3.0, 1.1, 1000)]:
        trace, cost, g_x0, g_w = f(x0, w, limit)
        ref = f_numpy(x0, w, limit)
        for got, want in zip((trace, cost, g_x0, g_w), ref, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12)
        steps = len(trace)
        expected = [x0]
        while len(expected) <= limit and (len(expected) == 1 or expected[-1] <= 50.0):
            expected.append(expected[-1] * w + 1.0)
        np.testing.assert_allclose(trace, expected[1:], rtol=1e-12)
        value, (j_x0, j_w) = _hand_written(x0, w, steps)
        np.testing.assert_allclose([cost, g_x0, g_w], [value, j_x0, j_w], rtol=1e-10)
    # one compilation per capacity of the bound, whatever x0 and w
    assert f.compile_count == 3  # capacities 128 (100), 4 (3) and 1024 (1000)


def test_until_gradient_matches_finite_differences(doubling):
    f, _ = doubling
    x0, w, eps = 0.7, 1.8, 1e-6
    _, _, g_x0, g_w = f(x0, w, 100)
    # the number of steps is locally constant: differences inside it see a smooth cost
    fd_x0 = (f(x0 + eps, w, 100)[1] - f(x0 - eps, w, 100)[1]) / (2 * eps)
    fd_w = (f(x0, w + eps, 100)[1] - f(x0, w - eps, 100)[1]) / (2 * eps)
    np.testing.assert_allclose([g_x0, g_w], [fd_x0, fd_w], rtol=1e-6)


def test_until_over_a_random_draw_runs_inside_the_program():
    from graph2jax.tensor.random.utils import RandomStream

    start = RandomStream(seed=3).uniform(1.0, 2.0)
    trace, _ = g.scan(lambda p: (p * 2.0, until(p * 2.0 > 100.0)), outputs_info=start, n_steps=50)
    f = g.function([], [start, trace])
    first, values = f()
    np.testing.assert_allclose(values, first * 2.0 ** np.arange(1, len(values) + 1))
    assert values[-1] > 100.0 >= values[-2]


def test_recompile_warning_names_the_input_whose_shape_changed():
    x = gt.dvector("xs")
    f = g.function([x], x * 2)
    with config.change_flags(recompile_warning_limit=2), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for n in (1, 2):
            f(np.ones(n))
        assert not [m for m in w if issubclass(m.category, RecompileWarning)]
        f(np.ones(3))
    (warning,) = [m for m in w if issubclass(m.category, RecompileWarning)]
    assert "compiled 3 times" in str(warning.message)
    assert "xs" in str(warning.message) and "(2,)" in str(warning.message)
    assert f.compile_count == 3


def test_recompile_warning_names_a_static_input_and_the_profile_counts_compilations():
    n = gt.lscalar("n")
    f = g.function([n], gt.arange(n), profile=True)
    with config.change_flags(recompile_warning_limit=1):
        f(2)
        with pytest.warns(RecompileWarning, match=r"'n'.*value 2 -> value 5"):
            f(5)
    f(5)
    assert (f.profile.compile_count, f.profile.call_count) == (2, 3)
    assert f.compile_count == f.trace_count == 2


def test_scan_op_checks_its_length_when_built():
    x = gt.dscalar("x")
    out, _ = g.scan(lambda p: p * 2, outputs_info=[x], n_steps=gt.iscalar("n"))
    node = next(v.owner for v in g.graph.ancestors([out]) if v.owner and "Scan" in str(v.owner.op))
    op, rest = node.op, node.inputs[1:]
    assert op.make_node(gt.constant(3, dtype="int64"), *rest).outputs[0].type.shape[0] == 3
    with pytest.raises(ValueError, match="n_steps must not be negative, got -1"):
        op.make_node(gt.constant(-1, dtype="int64"), *rest)
    with pytest.raises(TypeError, match="n_steps must be an integer scalar"):
        op.make_node(gt.dscalar(), *rest)
