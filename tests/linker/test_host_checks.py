"""Indices that are arguments of the call, checked on the host before it runs (checks.HostChecks)."""

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.mode import Mode

X = np.arange(3.0)
M = np.arange(12.0).reshape(3, 4)


@pytest.fixture(scope="module")
def matrix_read():
    m, i, j = gt.dmatrix("m"), gt.lscalar("i"), gt.lscalar("j")
    return g.function([m, i, j], m[None, i, j])


def test_an_argument_index_into_an_argument_needs_no_flag():
    x, i = gt.dvector("x"), gt.lscalar("i")
    f = g.function([x, i], x[i])
    linked = f.maker.linked()
    assert not linked.checked  # no flag computed, none read
    assert linked.single is not None  # the call keeps the single-output route
    assert f(X, -3) == X[-3] and f(X, 2) == X[2]
    for bad in (3, -4, 10**6):
        with pytest.raises(IndexError, match=f"index {bad} is out of bounds for axis 0 of 'x'"):
            f(X, bad)
    assert f(X, np.int64(1)) == 1.0  # still works after an error


@pytest.mark.parametrize(
    ("i", "j", "bad", "axis", "size"),
    [(3, 0, 3, 0, 3), (-4, 0, -4, 0, 3), (0, 4, 4, 1, 4), (1, -5, -5, 1, 4)],
)
def test_each_axis_is_checked_against_its_own_length(matrix_read, i, j, bad, axis, size):
    assert not matrix_read.maker.linked().checked
    np.testing.assert_array_equal(matrix_read(M, 2, -1), M[None, 2, -1])
    with pytest.raises(IndexError, match=f"index {bad} is out of bounds for axis {axis} .* {size}"):
        matrix_read(M, i, j)


def test_a_static_length_needs_no_argument():
    i = gt.lscalar("i")
    f = g.function([i], gt.arange(3.0)[i] + gt.zeros(3)[i])
    assert not f.maker.linked().checked
    assert f(2) == 2.0
    with pytest.raises(IndexError, match="index 3 is out of bounds"):
        f(3)


def test_a_computed_tensor_or_index_is_checked_on_the_device():
    x, i = gt.dvector("x"), gt.lscalar("i")
    for out in ((x * 2)[i], x[i + 1]):
        f = g.function([x, i], out)
        assert f.maker.linked().checked
        with pytest.raises(IndexError):
            f(X, 3)


def test_a_host_checked_write_changes_no_shared_variable():
    start = np.arange(4.0)
    s = g.shared(start.copy(), name="s")
    count = g.shared(np.int64(0), name="count")
    i = gt.lscalar("i")
    f = g.function([i], s[i] * 2, updates=[(s, gt.set_subtensor(s[i], -1.0)), (count, count + 1)])
    assert not f.maker.linked().checked
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 0 of 's'"):
        f(4)
    np.testing.assert_array_equal(s.get_value(), start)
    assert count.get_value() == 0
    assert f(-4) == 0.0
    np.testing.assert_array_equal(s.get_value(), [-1.0, 1.0, 2.0, 3.0])
    assert count.get_value() == 1


def test_host_and_device_checks_together():
    x, i, iv = gt.dvector("x"), gt.lscalar("i"), gt.lvector("iv")
    f = g.function([x, i, iv], x[i] + x[iv].sum())
    assert f.maker.linked().checked  # x[iv] still reports its flag
    assert f(X, 1, [0, 2]) == 1.0 + 2.0
    with pytest.raises(IndexError, match="index 3"):
        f(X, 3, [0])
    with pytest.raises(IndexError, match="index 5"):
        f(X, 0, [5])


def test_checks_off_clamp_as_jax():
    x, i = gt.dvector("x"), gt.lscalar("i")
    f = g.function([x, i], x[i], mode=Mode(check_index_bounds=False))
    assert f(X, 10) == X[-1]


def test_device_arrays_and_trusted_calls_are_checked_too():
    x, i = gt.dvector("x"), gt.lscalar("i")
    f = g.function([x, i], g.Out(x[i], borrow=True))
    assert f(jax.numpy.asarray(X), jax.numpy.asarray(2)) == 2.0
    f.trust_input = True
    with pytest.raises(IndexError, match="index 3"):
        f(jax.numpy.asarray(X), np.asarray(3))
    (out,) = f.jax_fn(X, 10)  # under JAX's transformations: JAX's behaviour, no check
    assert jax.jit(lambda k: f.jax_fn(X, k)[0])(10) == X[-1] and out == X[-1]
