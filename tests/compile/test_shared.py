"""Shared variables: construction, get_value/set_value, the borrowed-buffer rule, device values."""

from __future__ import annotations

import pickle
import weakref

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import aliasing
from graph2jax.compile.sharedvalue import SharedVariable, shared


@pytest.mark.parametrize(
    ("value", "dtype", "ndim"),
    [
        (np.zeros((2, 3), dtype=np.float32), "float32", 2),
        (np.arange(4), "int64", 1),
        (1.5, "float64", 0),
        (3, "int64", 0),
        (True, "bool", 0),
        (np.float32(2.5), "float32", 0),
        (np.int8(7), "int8", 0),
        (jnp.ones(3), "float64", 1),
    ],
)
def test_shared_of_arrays_python_and_numpy_scalars(value, dtype, ndim):
    var = shared(value, name="v")
    assert isinstance(var, SharedVariable) and var.name == "v"
    assert var.type.dtype == dtype and var.type.ndim == ndim
    assert isinstance(var.get_value(borrow=True, return_internal_type=True), jax.Array)
    got = var.get_value()
    assert isinstance(got, np.ndarray) and got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.asarray(value))


def test_shared_static_shape():
    var = shared(np.zeros((2, 3)), shape=(2, None))
    assert var.type.shape == (2, None)
    var.set_value(np.ones((2, 5)))
    with pytest.raises(TypeError):
        var.set_value(np.ones((3, 3)))
    with pytest.raises(ValueError):
        shared(np.zeros(3), shape=(3, 1))


def test_shared_rejects_symbolic_values():
    with pytest.raises(TypeError, match="symbolic"):
        shared(g.tensor.dscalar("x"))


def test_get_value_copies_unless_borrowed():
    value = np.arange(3.0)
    var = shared(value)
    value[0] = 100.0  # shared() copied the value
    copy = var.get_value()
    copy[1] = 100.0  # a copy the caller owns
    np.testing.assert_array_equal(var.get_value(), [0.0, 1.0, 2.0])
    internal = var.get_value(borrow=True, return_internal_type=True)
    assert internal is var.get_value(borrow=True, return_internal_type=True)
    assert isinstance(var.get_value(borrow=True), np.ndarray)


def test_set_value_with_and_without_borrow():
    var = shared(np.zeros(3))
    new = jnp.ones(3)
    var.set_value(new, borrow=True)
    assert var.get_value(borrow=True, return_internal_type=True) is new
    host = np.full(3, 2.0)
    var.set_value(host)
    host[:] = 5.0
    np.testing.assert_array_equal(var.get_value(), np.full(3, 2.0))


def test_set_value_casts_follow_strict_and_allow_downcast():
    loose = shared(np.zeros(2, dtype=np.float64))
    loose.set_value(np.array([1, 2], dtype=np.int32))  # lossless upcast
    assert loose.get_value().dtype == np.float64
    small = shared(np.zeros(2, dtype=np.float32))
    with pytest.raises(TypeError, match="set_value"):
        small.set_value(np.array([0.1, 0.2]))  # float64 -> float32 loses precision
    lossy = shared(np.zeros(2, dtype=np.float32), allow_downcast=True)
    lossy.set_value(np.array([0.1, 0.2]))
    assert lossy.get_value().dtype == np.float32
    strict = shared(np.zeros(2), strict=True)
    with pytest.raises(TypeError, match="strict"):
        strict.set_value(np.array([1, 2], dtype=np.int32))
    with pytest.raises(TypeError):
        strict.set_value(np.zeros((2, 2)))


def test_borrowed_value_stays_valid_across_donating_calls():
    param = shared(np.zeros(4), name="param")
    step = g.function([], [], updates=[(param, param * 0.5 + 1)])
    step()
    held = param.get_value(borrow=True, return_internal_type=True)
    held_view = param.get_value(borrow=True)
    snapshot = np.array(held)
    for _ in range(5):
        step()
    assert not held.is_deleted()
    np.testing.assert_array_equal(np.asarray(held), snapshot)
    np.testing.assert_array_equal(held_view, snapshot)
    np.testing.assert_array_equal(param.get_value(), np.full(4, 1.96875))


def test_buffers_nobody_holds_are_donated_without_a_copy():
    param = shared(np.zeros(4), name="param")
    step = g.function([], [], updates=[(param, param + 1)])
    start = aliasing.copies.count
    for _ in range(3):
        step()
    assert aliasing.copies.count == start  # steady state: the update reuses the donated buffer
    held = param.get_value(borrow=True, return_internal_type=True)
    step()
    assert aliasing.copies.count == start + 1 and not held.is_deleted()
    del held
    internal = weakref.ref(param.get_value(borrow=True, return_internal_type=True))
    step()
    assert aliasing.copies.count == start + 1  # the reference was dropped: donated again
    assert internal() is None or internal().is_deleted()
    np.testing.assert_array_equal(param.get_value(), np.full(4, 5.0))


def test_set_value_borrow_true_is_not_deleted_by_the_next_call():
    param = shared(np.zeros(3))
    step = g.function([], [], updates=[(param, param + 1)])
    mine = jnp.full(3, 10.0)
    param.set_value(mine, borrow=True)
    step()
    assert not mine.is_deleted()
    np.testing.assert_array_equal(np.asarray(mine), np.full(3, 10.0))
    np.testing.assert_array_equal(param.get_value(), np.full(3, 11.0))


def test_values_live_on_the_device():
    param = shared(np.ones(2))
    g.function([], [], updates=[(param, param + 1)])()
    internal = param.get_value(borrow=True, return_internal_type=True)
    assert isinstance(internal, jax.Array)
    assert internal.devices() == {jax.devices()[0]}


def test_shared_variable_pickles_with_its_value_and_default_update():
    var = shared(np.arange(3.0), name="w")
    var.default_update = var + 1
    back = pickle.loads(pickle.dumps(var))
    assert back.name == "w" and back.type == var.type
    np.testing.assert_array_equal(back.get_value(), [0.0, 1.0, 2.0])
    g.function([], back)()
    np.testing.assert_array_equal(back.get_value(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(var.get_value(), [0.0, 1.0, 2.0])  # an independent copy


def test_shared_variable_arithmetic_and_eval():
    var = shared(np.float64(2.0))
    assert float((var * 3 + 1).eval()) == 7.0


def test_container_storage_reads_and_writes_the_shared_value():
    """PyTensor's ``s.container.storage[0]`` is the value; assigning it sets the value."""
    s = g.shared(np.arange(3.0), name="s")
    storage = s.container.storage
    np.testing.assert_array_equal(storage[0], [0.0, 1.0, 2.0])
    assert storage[0] is s.get_value(borrow=True)  # borrowed: no copy while unchanged
    storage[0] = np.ones(3)
    np.testing.assert_array_equal(s.get_value(), np.ones(3))
    g.function([], updates=[(s, s * 2)])()
    np.testing.assert_array_equal(storage[0], [2.0, 2.0, 2.0])  # read live, after an update
    assert len(storage) == 1 and list(storage)[0].shape == (3,)
    with pytest.raises(IndexError):
        storage[1]


def _aligned_ones(n: int) -> np.ndarray:
    """A float32 array whose buffer starts on a 64-byte boundary (what JAX's CPU client can use)."""
    raw = np.ones(n + 16, dtype="float32")
    start = (-raw.ctypes.data % 64) // 4
    return raw[start : start + n]


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="zero-copy adoption is a CPU feature")
def test_borrow_true_adopts_an_aligned_numpy_buffer_which_updates_do_not_write_into():
    value = _aligned_ones(1024)
    param = g.shared(value, name="p", borrow=True)
    internal = param.get_value(borrow=True, return_internal_type=True)
    assert internal.unsafe_buffer_pointer() == value.ctypes.data  # no copy was made
    assert np.shares_memory(param.get_value(borrow=True), value)
    del internal
    x = gt.fscalar("x")
    step = g.function([x], [], updates=[(param, x * param + 1)])
    with pytest.raises(TypeError):
        step(np.ones(2, dtype="float32"))  # a failed call: the adopted buffer is kept
    assert param.get_value(borrow=True, return_internal_type=True).unsafe_buffer_pointer() == (
        value.ctypes.data
    )
    step(np.float32(0.9))
    # JAX's CPU client never writes into a buffer it does not own (docs/performance.rst): the
    # donated update goes to a new buffer and the user's array keeps its values
    assert not np.shares_memory(param.get_value(borrow=True), value)
    np.testing.assert_array_equal(value, np.ones(1024, dtype="float32"))
    step(np.float32(0.9))
    np.testing.assert_allclose(param.get_value(), np.full(1024, 0.9 * (0.9 + 1) + 1), rtol=1e-6)


def test_borrow_false_copies_a_numpy_value_once():
    value = _aligned_ones(16)
    param = g.shared(value, name="p")
    assert param.get_value(borrow=True, return_internal_type=True).unsafe_buffer_pointer() != (
        value.ctypes.data
    )
    value[0] = 5.0  # the user's array is not the parameter
    assert param.get_value()[0] == 1.0


def test_writing_into_the_numpy_array_right_after_shared_leaves_the_parameter_alone():
    value = np.ones(1 << 22, dtype="float32")  # 16 MiB: a transfer still under way when racing
    param = g.shared(value, name="p")
    value[:] = 5.0
    assert float(param.get_value(borrow=True).max()) == 1.0
