"""The donation policy (``graph2jax.compile.aliasing``): each rule on real buffers."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import aliasing
from graph2jax.graph.fg import FunctionGraph


def test_candidates_are_updated_shared_values_then_mutable_inputs():
    assert aliasing.donation_candidates(2, {0: 5, 2: 6}, [1]) == (2, 4, 1)
    assert aliasing.donation_candidates(0, {}, []) == ()


def test_static_filter_keeps_candidates_an_output_can_reuse_one_output_each():
    v, m, f32 = gt.dvector("v"), gt.dmatrix("m"), gt.fvector("f")
    w = gt.dvector("w")
    fg = FunctionGraph([v, m, f32, w], [v * 2, w.sum()])
    # m: no matrix output; f32: no float32 output; w: the one vector output is v's already
    assert aliasing.static_donations(fg, (0, 1, 2, 3)) == (0,)
    assert aliasing.static_donations(fg, (3, 0)) == (3,)


def test_a_buffer_passed_twice_is_copied_before_it_is_donated():
    buffer = jnp.ones(3)
    types = [gt.dvector().type] * 2
    args = [buffer, buffer]
    before = aliasing.copies.count
    aliasing.protect_donated(args, (1,), 1, types)
    assert args[0] is buffer and args[1] is not buffer
    np.testing.assert_array_equal(np.asarray(args[1]), np.ones(3))
    assert aliasing.copies.count == before + 1


def test_a_held_shared_buffer_is_copied_an_unheld_one_is_not():
    w = g.shared(np.zeros(2), name="w")
    types = [w.type]
    before = aliasing.copies.count
    args = [w.get_value(borrow=True, return_internal_type=True)]  # held by w only
    kept = id(args[0])
    aliasing.protect_donated(args, (0,), 0, types)
    assert id(args[0]) == kept and aliasing.copies.count == before
    held = w.get_value(borrow=True, return_internal_type=True)  # a user's borrowed array
    args = [held]
    aliasing.protect_donated(args, (0,), 0, types)
    assert args[0] is not held and aliasing.copies.count == before + 1


def test_explicit_inputs_are_never_refcount_copied():
    types = [gt.dvector().type]
    mine = jnp.zeros(2)
    also_mine = mine  # referenced twice outside the arguments: "held" by the refcount rule
    args = [mine]
    aliasing.protect_donated(args, (0,), 1, types)  # position 0 < n_inputs: an explicit input
    assert args[0] is mine
    aliasing.protect_donated(args, (0,), 0, types)  # the same buffer as a shared value's
    assert args[0] is not also_mine


def test_usable_donations_pair_each_output_once_by_shape_and_dtype():
    a, b, c = np.zeros(3), np.zeros(3), np.zeros(3, dtype="float32")
    outputs = [jnp.zeros(3)]
    assert aliasing.usable_donations([a, b, c], outputs, (0, 1, 2)) == (0,)
    assert aliasing.usable_donations([a, b, c], [jnp.zeros(4)], (0, 1)) == ()


def test_fresh_copy_shares_no_memory_and_is_counted():
    value = jnp.arange(3.0)
    before = aliasing.copies.count
    copy = aliasing.fresh_copy(gt.dvector().type, value)
    assert copy is not value and aliasing.copies.count == before + 1
    value.delete()
    np.testing.assert_array_equal(np.asarray(copy), [0.0, 1.0, 2.0])


def test_a_shared_value_given_as_a_mutable_input_is_not_consumed_twice():
    x = gt.dvector("x")
    w = g.shared(np.ones(3), name="w")
    f = g.function([g.In(x, mutable=True)], x + w, updates=[(w, w * 2)])
    internal = w.get_value(borrow=True, return_internal_type=True)
    out = f(internal)
    np.testing.assert_array_equal(out, np.full(3, 2.0))
    np.testing.assert_array_equal(w.get_value(), np.full(3, 2.0))
    assert not internal.is_deleted()
