"""Values crossing layers through their type's hooks, and ``config.device`` placement."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.config import config
from graph2jax.graph.basic import Type

CPU = jax.devices("cpu")[0]


def test_tensor_to_device_makes_a_new_buffer():
    source = np.arange(3.0)
    value = gt.dvector().type.to_device(source)
    source[0] = 99.0
    assert isinstance(value, jax.Array)
    np.testing.assert_array_equal(np.asarray(value), [0.0, 1.0, 2.0])


def test_tensor_to_host_copies_unless_borrowed():
    typ = gt.dvector().type
    value = typ.to_device(np.ones(2))
    host = typ.to_host(value)
    host[0] = 5.0  # a writable copy the caller owns
    np.testing.assert_array_equal(np.asarray(value), [1.0, 1.0])
    assert not typ.to_host(value, borrow=True).flags.writeable  # a view of the device buffer


def test_tensor_pickle_hooks_round_trip_and_values_eq():
    typ = gt.dmatrix().type
    value = typ.to_device(np.arange(4.0).reshape(2, 2))
    data = typ.to_pickle(value)
    assert type(data) is np.ndarray
    back = typ.from_pickle(pickle.loads(pickle.dumps(data)))
    assert isinstance(back, jax.Array) and typ.values_eq(back, value)
    assert not typ.values_eq(back, np.zeros((2, 2)))


class _ListType(Type):
    """A type of python lists: the base hooks must copy mutable values."""

    def filter(self, data, strict=False, allow_downcast=None):
        return list(data)


def test_base_type_hooks_copy_and_compare():
    typ, value = _ListType(), [1, [2]]
    copied = typ.to_device(value)
    copied[1].append(3)
    assert value == [1, [2]]
    assert typ.to_host(value, borrow=True) is value and typ.to_host(value) is not value
    assert typ.from_pickle(typ.to_pickle(value)) == value and typ.values_eq(value, [1, [2]])
    assert not typ.values_eq(value, [1])


def test_shared_variable_pickles_through_its_type():
    w = g.shared(np.arange(3.0), name="w")
    back = pickle.loads(pickle.dumps(w))
    assert isinstance(back.get_value(borrow=True, return_internal_type=True), jax.Array)
    np.testing.assert_array_equal(back.get_value(), [0.0, 1.0, 2.0])
    assert back._storage.type == w.type


@pytest.mark.parametrize("name", ["cpu", "cpu:0"])
def test_config_device_places_shared_values_inputs_and_results(name):
    with config.change_flags(device=name):
        assert config.placement() == CPU
        w = g.shared(np.ones(3), name="w")
        x = gt.dvector("x")
        f = g.function([x], g.Out(x * w, borrow=True), updates=[(w, w + x)])
        out = f(np.arange(3.0))
    assert out.devices() == {CPU}
    assert w.get_value(borrow=True, return_internal_type=True).devices() == {CPU}
    np.testing.assert_array_equal(np.asarray(out), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(w.get_value(), [1.0, 2.0, 3.0])


def test_a_missing_device_is_a_value_error_naming_the_available_ones():
    available = ", ".join(f"{d.platform}:{d.id}" for d in jax.devices())
    if any(d.platform == "gpu" for d in jax.devices()):
        pytest.skip("this machine has a GPU: 'gpu' exists")
    with pytest.raises(ValueError, match=f"no such device; available devices: {available}"):
        config.device = "gpu"
    assert config.device is None
    with pytest.raises(ValueError, match="'cpu:99'"):
        config.device = "cpu:99"
    with pytest.raises(ValueError, match="no such device"):
        config.device = "cpu:first"
    assert config.placement() is None


_SECOND_CPU = """
import numpy as np, jax, graph2jax as g, graph2jax.tensor as gt
from graph2jax.config import config
second = jax.devices("cpu")[1]
config.device = "cpu:1"
w = g.shared(np.ones(3), name="w")
x = gt.dvector("x")
f = g.function([x], g.Out(x * w, borrow=True), updates=[(w, w * 2)])
out = f(np.arange(3.0))
assert out.devices() == {second}, out.devices()
assert w.get_value(borrow=True, return_internal_type=True).devices() == {second}
assert f(np.arange(3.0)).devices() == {second}
np.testing.assert_array_equal(w.get_value(), [4.0, 4.0, 4.0])
print("placed")
"""


def test_config_device_places_everything_on_a_non_default_device():
    # two host devices (an XLA flag read at JAX's start, hence the subprocess): cpu:1 is not the default
    env = dict(
        os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu"
    )
    done = subprocess.run(
        [sys.executable, "-c", _SECOND_CPU], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "placed"
