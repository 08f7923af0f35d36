"""Python values where PyTensor takes them: call arguments, set_value, shared(), dtype='floatX'.

Each test asserts PyTensor 3.0.7's behaviour (its ``TensorType.filter``, ``shared``'s
constructors and the generic fallback).
"""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.types.sharedvar import GenericType, SharedVariable, generic


@pytest.fixture(scope="module")
def doubles():
    """f(x) = 2 * x for an int16 and an int32 vector, plus a downcasting int16 one."""
    w, i = gt.wvector("w"), gt.ivector("i")
    return (
        g.function([w], w * 2),
        g.function([i], i * 2),
        g.function([w], w, allow_input_downcast=True),
    )


def test_python_int_lists_that_fit_are_accepted_at_call(doubles):
    f16, f32, _ = doubles
    out16, out32 = f16([312]), f32([312])
    assert out16.dtype == np.int16 and out16.tolist() == [624]
    assert out32.dtype == np.int32 and out32.tolist() == [624]


def test_python_int_out_of_range_raises_overflow_error_unless_downcast(doubles):
    f16, _, down = doubles
    with pytest.raises(OverflowError):
        f16([70000])
    # allow_input_downcast=True: numpy's cast, which wraps around as in PyTensor
    assert down([70000]).tolist() == [np.array(70000).astype(np.int16)]


def test_lossy_array_and_float_list_still_raise_type_error(doubles):
    f16, _, _ = doubles
    with pytest.raises(TypeError):
        f16(np.array([1], dtype="int64"))  # an array whose dtype does not upcast to int16
    with pytest.raises(TypeError):
        f16([1.5])


def test_set_value_follows_the_same_rules():
    s = g.shared(np.zeros(2, dtype="int16"))
    s.set_value([3, 4])
    assert s.get_value().dtype == np.int16 and s.get_value().tolist() == [3, 4]
    with pytest.raises(OverflowError):
        s.set_value([70000, 1])
    with pytest.raises(TypeError):
        s.set_value(np.array([1.5, 2.0]))
    assert s.get_value().tolist() == [3, 4], "a refused value leaves the old one"
    down = g.shared(np.zeros(1, dtype="int16"), allow_downcast=True)
    down.set_value([70000])
    assert down.get_value().tolist() == [np.array(70000).astype(np.int16)]


def test_filter_refuses_a_symbolic_variable():
    with pytest.raises(TypeError, match="Variable"):
        gt.dvector().type.filter(gt.dvector("v"))


@pytest.mark.parametrize(
    "value, dtype",
    [(np.int64(7), "int64"), (np.float32(1.5), "float32"), (np.bool_(True), "bool"), (7, "int64")],
)
def test_shared_numpy_and_python_scalars_with_strict(value, dtype):
    s = g.shared(value, strict=True)
    assert s.type == gt.TensorType(dtype, ())
    assert s.get_value() == value and s.get_value().dtype == dtype
    with pytest.raises(TypeError, match="strict"):
        s.set_value(np.array(1, dtype="int8"))
    assert g.function([], s * 2)() == value * 2


@pytest.mark.parametrize("value", ["asdf", {"a": 1}, [1, 2], (None, 3), object])
def test_shared_generic_holds_any_python_object(value):
    s = g.shared(value, name="obj")
    assert type(s) is SharedVariable and s.type is generic and isinstance(s.type, GenericType)
    assert s.get_value() == value


def test_generic_shared_copies_unless_borrowed():
    d = {"a": [1]}
    s = g.shared(d)
    d["a"].append(2)
    assert s.get_value() == {"a": [1]}, "shared() deep-copies without borrow"
    got = s.get_value()
    got["a"].append(3)
    assert s.get_value() == {"a": [1]}, "get_value() returns a deep copy"
    s.set_value(d, borrow=True)
    assert s.get_value(borrow=True) is d
    s.set_value(d)
    assert s.get_value(borrow=True) is not d and s.get_value() == d


def test_generic_fallback_refuses_typed_keywords():
    with pytest.raises(TypeError, match="shape"):
        g.shared("asdf", shape=(2,))


def test_generic_is_tried_after_every_registered_constructor(monkeypatch):
    from graph2jax.types import sharedvar

    seen = []

    def claims_strings(value, name=None, **kwargs):
        seen.append(value)
        return SharedVariable(generic, value.upper(), name=name) if value == "mine" else None

    monkeypatch.setattr(sharedvar, "_constructors", list(sharedvar._constructors))
    sharedvar.shared_constructor(claims_strings)
    assert g.shared("mine").get_value() == "MINE"
    assert g.shared("other").get_value() == "other"
    assert seen == ["mine", "other"]


def test_get_value_borrow_returns_one_object_while_the_value_is_unchanged():
    s = g.shared(np.arange(3.0))
    a = s.get_value(borrow=True)
    assert s.get_value(borrow=True) is a
    assert s.get_value() is not a, "borrow=False is always a fresh copy"
    g.function([], [], updates={s: s + 1})()
    b = s.get_value(borrow=True)
    assert b is not a and b.tolist() == [1.0, 2.0, 3.0] and a.tolist() == [0.0, 1.0, 2.0]
    s.set_value(np.zeros(3))
    assert s.get_value(borrow=True) is not b


def test_shared_of_numpy_array_without_borrow_does_not_alias():
    # borrow=True may adopt the buffer where JAX can use it (docs/function.rst); without it,
    # the shared variable owns its copy
    v = np.zeros(2)
    s = g.shared(v)
    v[0] = 5.0
    assert s.get_value().tolist() == [0.0, 0.0]


def test_dtype_floatx_everywhere():
    fx = g.config.floatX
    x = gt.ivector("x")
    made = {
        "as_tensor": gt.as_tensor(1, dtype="floatX"),
        "as_tensor_variable": gt.as_tensor_variable(x, dtype="floatX"),
        "constant": gt.constant([1, 2], dtype="floatX"),
        "cast": gt.cast(x, "floatX"),
        "astype": x.astype("floatX"),
        "zeros": gt.zeros((2,), dtype="floatX"),
        "ones": gt.ones((2,), dtype="floatX"),
        "zeros_like": gt.zeros_like(x, dtype="floatX"),
        "ones_like": gt.ones_like(x, dtype="floatX"),
        "full": gt.full((2,), 3, dtype="floatX"),
        "arange": gt.arange(3, dtype="floatX"),
        "eye": gt.eye(2, dtype="floatX"),
        "tensor": gt.tensor(dtype="floatX", shape=(2,)),
        "TensorType": gt.TensorType("floatX", (2,))(),
        "vector": gt.vector(dtype="floatX"),
    }
    assert {k: v.dtype for k, v in made.items()} == dict.fromkeys(made, fx)
    with g.config.change_flags(floatX="float32"):
        assert gt.constant(1.5, dtype="floatX").dtype == "float32"
        assert gt.cast(x, "floatX").dtype == "float32"
    assert gt.constant([1, 2], dtype="floatX").eval().tolist() == [1.0, 2.0]


def test_shared_takes_no_dtype_argument_as_pytensor():
    with pytest.raises(TypeError, match="dtype"):
        g.shared(np.ones(2), dtype="floatX")
