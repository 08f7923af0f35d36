"""``In`` and ``Out``: the options attached to a function's inputs and outputs."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.io import In, Out


def test_in_out_importable_from_pytensor_paths():
    from graph2jax.compile.function import In as In2
    from graph2jax.compile.function import Out as Out2

    assert In2 is In is g.In and Out2 is Out is g.Out


def test_in_value_makes_trailing_arguments_optional_and_settable():
    x, y = gt.dscalars("x", "y")
    f = g.function([x, In(y, value=1.0)], x + y)
    assert float(f(2.0)) == 3.0
    assert float(f(2.0, 3.0)) == 5.0
    assert float(f(2.0, y=10.0)) == 12.0
    assert float(f["y"]) == 1.0
    f["y"] = 7.0
    assert float(f(2.0)) == 9.0
    f[y] = 8.0  # by variable
    assert float(f[1]) == 8.0  # by index
    with pytest.raises(TypeError, match="missing required input"):
        f()


def test_in_name_overrides_the_variable_name():
    x = gt.dscalar("x")
    f = g.function([In(x, name="alpha", value=2.0)], x * 3)
    assert float(f(alpha=1.0)) == 3.0 and float(f()) == 6.0


def test_in_strict_rejects_any_cast():
    x = gt.dvector("x")
    f = g.function([In(x, strict=True)], x * 2)
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(TypeError, match="strict"):
        f(np.array([1.0, 2.0], dtype=np.float32))  # an upcast is still a cast
    with pytest.raises(TypeError, match="strict"):
        f([1.0, 2.0])  # a list is not an array of the type
    loose = g.function([x], x * 2)
    np.testing.assert_allclose(loose(np.array([1, 2], dtype=np.int32)), [2.0, 4.0])


def test_in_allow_downcast_per_input():
    x = gt.fvector("x")
    f = g.function([In(x, allow_downcast=True)], x + 1)
    out = f(np.array([0.5, 1.5]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [1.5, 2.5])
    g_ = g.function([In(x, allow_downcast=False)], x + 1, allow_input_downcast=True)
    with pytest.raises(TypeError):
        g_(np.array([0.5, 1.5]))  # the input's own setting wins over the function's


def test_in_mutable_donates_a_device_array_argument():
    x = gt.dvector("x")
    f = g.function([In(x, mutable=True)], x * 2)
    arg = jnp.arange(4.0)
    np.testing.assert_allclose(f(arg), [0.0, 2.0, 4.0, 6.0])
    assert arg.is_deleted()  # documented: the buffer was handed over to XLA
    kept = jnp.arange(4.0)
    g.function([x], x * 2)(kept)
    assert not kept.is_deleted()
    host = np.arange(4.0)
    f(host)
    np.testing.assert_array_equal(host, np.arange(4.0))  # numpy arguments are copied to the device


def test_in_mutable_without_borrow_is_a_value_error():
    x = gt.dvector("x")
    with pytest.raises(ValueError, match="borrow"):
        In(x, mutable=True, borrow=False)
    assert In(x, mutable=True).borrow is True
    assert In(x).mutable is False and In(x).borrow is False


def test_in_with_update_is_a_stateful_input():
    x, s = gt.dscalars("x", "s")
    f = g.function([x, In(s, value=0.0, update=s + x)], s)
    assert float(f(1.0)) == 0.0
    assert float(f(2.0)) == 1.0
    assert float(f["s"]) == 3.0
    f["s"] = 10.0
    assert float(f(1.0)) == 10.0 and float(f["s"]) == 11.0
    # without a value (PyTensor allows it) the argument stays required and the
    # update is written to f[name]
    h = g.function([In(s, update=s * 2)], s + 1)
    assert float(h(3.0)) == 4.0 and float(h["s"]) == 6.0
    assert float(h(5.0)) == 6.0 and float(h["s"]) == 10.0


def test_in_implicit_input_is_not_a_call_argument():
    x, y = gt.dscalars("x", "y")
    f = g.function([x, In(y, value=5.0, implicit=True)], x * y)
    assert float(f(2.0)) == 10.0
    with pytest.raises(TypeError, match="at most 1"):
        f(2.0, 3.0)


def test_out_borrow_false_returns_a_fresh_numpy_array():
    x = gt.dvector("x")
    f = g.function([x], Out(x + 1, borrow=False))
    out = f(np.zeros(3))
    assert type(out) is np.ndarray
    again = f(np.ones(3))
    np.testing.assert_array_equal(out, np.ones(3))  # not overwritten by the next call
    assert not np.shares_memory(out, again)


def test_out_borrow_true_returns_the_device_array():
    x = gt.dvector("x")
    f = g.function([x], [Out(x + 1, borrow=True), x * 2])
    dev, host = f(np.zeros(2))
    assert isinstance(dev, jax.Array) and type(host) is np.ndarray
    np.testing.assert_array_equal(np.asarray(dev), np.ones(2))


def test_out_borrow_true_of_an_updated_buffer_is_never_deleted():
    acc = g.shared(np.zeros(3), name="acc")
    new = acc + 1
    f = g.function([], Out(new, borrow=True), updates=[(acc, new)])
    first = f()
    for _ in range(3):
        f()
    assert not first.is_deleted()
    np.testing.assert_array_equal(np.asarray(first), np.ones(3))
    np.testing.assert_array_equal(acc.get_value(), np.full(3, 4.0))
