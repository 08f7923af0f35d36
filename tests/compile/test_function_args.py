"""``function()``'s arguments, as the seed's reference page describes them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.function import function
from graph2jax.compile.function.types import UnusedInputError
from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify


def test_seed_example_two_times_x():
    x = gt.dscalar()
    f = function([x], 2 * x)
    out = f(4)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out == 8.0


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ("single", 3.0),
        ("list", [3.0, 2.0]),
        ("tuple", [3.0, 2.0]),
        ("dict", {"plus": 3.0, "times": 2.0}),
        ("none", None),
    ],
)
def test_outputs_single_list_dict_none(outputs, expected):
    x, y = gt.dscalars("x", "y")
    spec = {
        "single": x + y,
        "list": [x + y, x * y],
        "tuple": (x + y, x * y),
        "dict": {"plus": x + y, "times": x * y},
        "none": None,
    }[outputs]
    f = function([x, y], spec, on_unused_input="ignore")
    got = f(1.0, 2.0)
    if isinstance(expected, dict):
        assert got == expected
    elif isinstance(expected, list):
        assert isinstance(got, list) and [float(v) for v in got] == expected
    else:
        assert got == expected


@pytest.mark.parametrize("kind", ["list", "tuple", "dict"])
def test_updates_as_list_tuple_dict(kind):
    acc = g.shared(np.float64(1.0), name="acc")
    pairs = [(acc, acc * 2)]
    updates = {"list": pairs, "tuple": tuple(pairs), "dict": dict(pairs)}[kind]
    f = function([], acc, updates=updates)
    assert float(f()) == 1.0 and float(f()) == 2.0
    assert float(acc.get_value()) == 4.0


def test_duplicate_updates_raise_value_error():
    acc = g.shared(0.0)
    with pytest.raises(ValueError, match="already has an update expression"):
        function([], acc, updates=[(acc, acc + 1), (acc, acc + 2)])


def test_update_of_another_type_raises_type_error():
    acc = g.shared(np.zeros(3))
    with pytest.raises(
        TypeError, match="An update must have the same type as the original shared variable"
    ):
        function([], [], updates=[(acc, acc.astype("float32"))])
    with pytest.raises(TypeError):
        function([], [], updates=[(acc, acc.sum())])


def test_update_target_must_be_shared():
    x = gt.dscalar("x")
    with pytest.raises(TypeError, match="update target must be a SharedVariable"):
        function([x], x, updates=[(x, x + 1)])


def test_default_update_and_no_default_updates():
    counter = g.shared(np.int64(0), name="counter")
    other = g.shared(np.int64(0), name="other")
    counter.default_update = counter + 1
    other.default_update = other + 10
    out = counter + other
    function([], out)()
    assert (int(counter.get_value()), int(other.get_value())) == (1, 10)
    function([], out, no_default_updates=True)()
    assert (int(counter.get_value()), int(other.get_value())) == (1, 10)
    function([], out, no_default_updates=[counter])()
    assert (int(counter.get_value()), int(other.get_value())) == (1, 20)
    # an explicit update wins over the default one
    function([], out, updates=[(counter, counter + 100)])()
    assert (int(counter.get_value()), int(other.get_value())) == (101, 30)


@pytest.mark.parametrize("kind", ["list", "tuple", "dict"])
def test_givens_replace_a_free_input_variable(kind):
    x, y = gt.dscalars("x", "y")
    z = x * 3
    pairs = [(x, y + 1)]
    givens = {"list": pairs, "tuple": tuple(pairs), "dict": dict(pairs)}[kind]
    f = function([y], z, givens=givens)
    assert float(f(1.0)) == 6.0


def test_givens_replace_a_shared_variable_in_this_function_only():
    w = g.shared(np.float64(5.0), name="w")
    y = gt.dscalar("y")
    f = function([y], w * 2, givens={w: y})
    assert float(f(3.0)) == 6.0
    assert float(function([], w * 2)()) == 10.0


def test_givens_of_another_type_need_rebuild_strict_false():
    x = gt.dvector("x")
    m = gt.dmatrix("m")
    out = gt.exp(x) * 2
    with pytest.raises(TypeError, match="rebuild_strict=False"):
        function([m], out, givens={x: m})
    f = function([m], out, givens={x: m}, rebuild_strict=False)
    assert f.maker.fgraph.outputs[0].type.ndim == 2  # the graph was rebuilt with the new type
    np.testing.assert_allclose(f(np.zeros((2, 2))), np.full((2, 2), 2.0))


class _AddInplace(Op):
    """A destructive test op: overwrites its first input with x + y."""

    __props__ = ()
    destroy_map = {0: [0]}

    def make_node(self, x, y):
        x, y = gt.as_tensor_variable(x), gt.as_tensor_variable(y)
        return Apply(self, [x, y], [x.type()])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        x += y
        output_storage[0][0] = x


@jax_funcify.register(_AddInplace)
def _jax_add_inplace(op, node):
    return lambda x, y: x + y


def test_accept_inplace_refuses_destructive_ops_unless_true():
    x, y = gt.dvectors("x", "y")
    out = _AddInplace()(x, y)
    with pytest.raises(TypeError, match="accept_inplace"):
        function([x, y], out)
    f = function([x, y], out, accept_inplace=True)
    np.testing.assert_allclose(f([1.0, 2.0], [10.0, 20.0]), [11.0, 22.0])


def test_on_unused_input_raise_warn_ignore():
    x, y = gt.dscalars("x", "y")
    with pytest.raises(UnusedInputError, match="'y'"):
        function([x, y], 2 * x)
    assert g.UnusedInputError is UnusedInputError
    with pytest.warns(UserWarning, match="not needed"):
        function([x, y], 2 * x, on_unused_input="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = function([x, y], 2 * x, on_unused_input="ignore")
    assert float(f(1.0, 99.0)) == 2.0
    with pytest.raises(ValueError, match="on_unused_input"):
        function([x], x, on_unused_input="maybe")


def test_allow_input_downcast():
    v = gt.fvector("v")
    values = np.array([1.5, 2.5])  # float64
    with pytest.raises(TypeError, match="'v'"):
        function([v], v * 2)(values)
    with pytest.raises(TypeError):
        function([v], v * 2, allow_input_downcast=False)(values)
    out = function([v], v * 2, allow_input_downcast=True)(values)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [3.0, 5.0])


def test_allow_input_downcast_none_casts_python_floats_to_floatx_only():
    with g.config.change_flags(floatX="float32"):
        s = gt.fscalar("s")
        f = function([s], s + 1)
        # 1.1 has no exact float32 value: None casts python floats to floatX anyway
        assert f(1.1) == np.float32(1.1) + np.float32(1)
        with pytest.raises(TypeError):
            function([s], s + 1, allow_input_downcast=False)(1.1)
        with pytest.raises(TypeError):
            f(np.array(1.1))  # a float64 array, not a python float: no downcast


def test_name_profile_and_mode_arguments():
    x = gt.dscalar("x")
    f = function([x], x + 1, name="inc", profile=True, mode="FAST_COMPILE")
    assert f.name == "inc"
    assert isinstance(f.profile, g.ProfileStats) and f.profile.name == "inc"
    assert float(f(1.0)) == 2.0 and f.profile.call_count == 1
    mode = g.Mode(linker="jax").excluding("fusion").including("canonicalize")
    assert float(function([x], x + 1, mode=mode)(1.0)) == 2.0
    with pytest.raises(ValueError, match="unknown mode"):
        function([x], x, mode="SLOW_RUN")


def test_shared_variables_cannot_be_explicit_inputs():
    w = g.shared(1.0)
    with pytest.raises(TypeError, match="implicit"):
        function([w], w * 2)


def test_inputs_must_be_a_list():
    x = gt.dscalar("x")
    with pytest.raises(TypeError):
        function(x, x)
