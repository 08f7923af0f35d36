"""Generator state: RandomStream, shared generators, explicit rng inputs, reseeding, pickling."""

from __future__ import annotations

import pickle

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as pt
from graph2jax.tensor.random.type import RandomGeneratorType, random_generator_type
from graph2jax.tensor.random.utils import RandomStream
from graph2jax.tensor.random.var import RandomGeneratorSharedVariable


def test_a_stream_advances_across_calls_and_repeats_for_its_seed() -> None:
    srng = RandomStream(seed=234)
    f = g.function([], srng.normal(0, 1, size=(3,)))
    a, b = f(), f()
    assert not np.isclose(a, b).any()
    f2 = g.function([], RandomStream(seed=234).normal(0, 1, size=(3,)))
    np.testing.assert_array_equal(f2(), a)
    np.testing.assert_array_equal(f2(), b)
    assert not np.isclose(g.function([], RandomStream(seed=235).normal(size=3))(), a).any()


def test_seed_reseeds_compiled_functions() -> None:
    srng = RandomStream(seed=1)
    u, n = srng.uniform(size=2), srng.normal(size=2)
    f = g.function([], [u, n])
    first = f()
    f()
    srng.seed(1)
    for got, want in zip(f(), first, strict=True):
        np.testing.assert_array_equal(got, want)
    srng.seed(2)
    assert not np.isclose(f()[0], first[0]).any()
    srng.seed()  # None: the stream's own seed
    np.testing.assert_array_equal(f()[0], first[0])


def test_set_value_after_compiling_changes_the_draws() -> None:
    rng = g.shared(np.random.default_rng(5))
    next_rng, x = pt.random.normal(size=4, rng=rng).owner.outputs
    f = g.function([], x, updates={rng: next_rng})
    a = f()
    rng.set_value(np.random.default_rng(5))
    np.testing.assert_array_equal(f(), a)
    rng.set_value(np.random.default_rng(6))
    assert not np.isclose(f(), a).any()
    rng.set_value(jax.random.key(0, impl="threefry2x32"))  # a JAX key is accepted too
    assert f().shape == (4,)


def test_get_value_is_a_numpy_generator_that_restores_the_state() -> None:
    rng = g.shared(np.random.default_rng(5))
    assert isinstance(rng, RandomGeneratorSharedVariable) and rng.type == random_generator_type
    next_rng, x = pt.random.uniform(size=3, rng=rng).owner.outputs
    f = g.function([], x, updates={rng: next_rng})
    f()
    state = rng.get_value()
    assert isinstance(state, np.random.Generator)
    a = f()
    rng.set_value(state)
    np.testing.assert_array_equal(f(), a)
    assert rng.type.values_eq(state, rng.get_value()) is False


def test_no_default_updates_freezes_the_stream() -> None:
    srng = RandomStream(seed=3)
    x = srng.normal(size=3)
    frozen = g.function([], x, no_default_updates=True)
    np.testing.assert_array_equal(frozen(), frozen())
    only_x = g.function([], [x, srng.normal(size=3)], no_default_updates=[x.owner.inputs[0]])
    (a1, b1), (a2, b2) = only_x(), only_x()
    np.testing.assert_array_equal(a1, a2)
    assert not np.isclose(b1, b2).any()


def test_functions_share_a_streams_state() -> None:
    srng = RandomStream(seed=9)
    x = srng.normal(size=3)
    f, h = g.function([], x), g.function([], x)
    reference = g.function([], RandomStream(seed=9).normal(size=3))
    np.testing.assert_array_equal(f(), reference())
    np.testing.assert_array_equal(h(), reference())  # h continues where f left the state
    assert len(srng.state_updates) == 1 and srng.updates()[0][0] is x.owner.inputs[0]
    assert srng.state_updates[0][0].default_update is srng.state_updates[0][1]


def test_a_stream_gives_each_draw_its_own_generator() -> None:
    srng = RandomStream(seed=4)
    a, b = srng.normal(size=2), srng.normal(size=2)
    va, vb = g.function([], [a, b])()
    assert not np.isclose(va, vb).any()
    with pytest.raises(ValueError, match="rng"):
        srng.normal(rng=g.shared(np.random.default_rng(0)))
    with pytest.raises(AttributeError, match="no distribution"):
        srng.not_a_distribution  # noqa: B018
    next_rng, x = srng.uniform(size=2, return_next_rng=True)
    assert next_rng is srng.state_updates[-1][1] and x.owner.outputs[0] is next_rng


def test_an_explicit_rng_input_gives_the_same_draws_for_the_same_generator() -> None:
    rng = random_generator_type("rng")
    assert isinstance(rng.type, RandomGeneratorType)
    next_rng, x = pt.random.uniform(rng=rng, size=2, return_next_rng=True)
    f = g.function([rng], [next_rng, x])
    state, a = f(np.random.default_rng(123))
    _, a_again = f(np.random.default_rng(123))
    np.testing.assert_array_equal(a, a_again)
    assert isinstance(state, np.random.Generator)
    _, b = f(state)
    assert not np.isclose(a, b).any()
    with pytest.raises(TypeError, match="RandomGeneratorType"):
        f(np.zeros(2))


def test_a_draw_without_rng_is_not_updated_as_pytensor() -> None:
    x = pt.random.normal(size=3)
    f = g.function([], x)
    np.testing.assert_array_equal(f(), f())
    assert isinstance(x.owner.inputs[0], RandomGeneratorSharedVariable)


def test_pickled_functions_and_generators_keep_their_state() -> None:
    srng = RandomStream(seed=11)
    f = g.function([], srng.normal(size=3))
    f()
    f2 = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(f2(), f())
    rng = g.shared(np.random.default_rng(1))
    rng2 = pickle.loads(pickle.dumps(rng))
    assert rng.type.values_eq(rng.get_value(), rng2.get_value())


def test_an_updated_tensor_is_still_donated_beside_a_generator() -> None:
    srng = RandomStream(seed=0)
    w = g.shared(np.zeros(3))
    f = g.function([], w, updates={w: w + srng.normal(size=3)})
    f()
    assert f.maker.linked().donate_argnums == (0,)
    before = w.get_value()
    f()
    assert not np.isclose(w.get_value(), before).any()


def test_a_graph_can_thread_one_generator_through_several_draws() -> None:
    rng = g.shared(np.random.default_rng(2))
    r1, x = pt.random.normal(size=2, rng=rng).owner.outputs
    r2, y = pt.random.normal(size=2, rng=r1).owner.outputs
    f = g.function([], [x, y], updates={rng: r2})
    (x1, y1), (x2, _) = f(), f()
    assert not np.isclose(x1, y1).any() and not np.isclose(x1, x2).any()


def test_generator_methods_draw_and_return_the_next_state() -> None:
    r = pt.random.rng("r")
    next_r, x = r.normal(0.0, 1.0, size=2)
    f = g.function([g.In(r, mutable=True)], [next_r, x])
    state, a = f(np.random.default_rng(0))
    reference = g.function([r], pt.random.normal(0.0, 1.0, size=2, rng=r))
    np.testing.assert_array_equal(a, reference(np.random.default_rng(0)))
    assert not np.isclose(f(state)[1], a).any()
    s = pt.random.shared_rng(seed=1)
    next_s, y = s.poisson(3.0, size=3)
    assert y.dtype == "int64" and isinstance(s, RandomGeneratorSharedVariable)
    h = g.function([], y, updates={s: next_s})
    assert h().shape == (3,)
    with pytest.raises(AttributeError, match="no attribute or distribution"):
        r.not_a_distribution  # noqa: B018


def test_set_value_replaces_what_a_borrowed_get_value_returns() -> None:
    r = g.shared(np.random.default_rng(0))
    old = r.get_value(borrow=True)
    r.set_value(np.random.default_rng(5))
    new = r.get_value(borrow=True)
    assert new is not old
    fresh = g.shared(np.random.default_rng(5))._storage.value
    assert jax.numpy.array_equal(jax.random.key_data(r._storage.value), jax.random.key_data(fresh))
    key = jax.random.key(3)
    r.set_value(key)  # not borrowed: the variable keeps its own copy of a given key
    assert r._storage.value is not key
    assert jax.numpy.array_equal(jax.random.key_data(r._storage.value), jax.random.key_data(key))
