"""Random draws inside a scan step: the generators are loop states, their last value scan's update.

A ``RandomStream`` draw made by the step gets a generator that the loop
carries (a JAX key in ``lax.scan`` / ``while_loop``, a numpy ``Generator`` in
the NUMPY linker's loop); the updates scan returns advance it. Values are
checked against the NUMPY linker and a hand-written ``lax.scan`` splitting the
key, statistics on 10^5 draws, and gradients against finite differences
(reseeding before each evaluation makes the draws the same).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import NullTypeGradError
from graph2jax.scan import until
from graph2jax.tensor.random.utils import RandomStream
from graph2jax.types.random_type import key_from_generator

DIM = 50


@pytest.fixture(scope="module")
def walk():
    """A random walk of normal steps, symbolic length, compiled for JAX and NUMPY."""
    srng = RandomStream(seed=11)
    x0, n = gt.dvector("x0"), gt.iscalar("n")
    path, updates = g.scan(
        lambda h: h + srng.normal(0.0, 1.0, size=(DIM,)), outputs_info=x0, n_steps=n
    )
    (rng,) = updates
    return (
        srng,
        rng,
        g.function([x0, n], path, updates=updates),
        g.function([x0, n], path, updates=updates, mode="NUMPY"),
    )


def test_walk_steps_differ_advance_and_equal_numpy(walk):
    srng, rng, f, f_numpy = walk
    srng.seed(3)
    first, second = f(np.zeros(DIM), 6), f(np.zeros(DIM), 6)
    steps = np.diff(np.vstack([np.zeros(DIM), first]), axis=0)
    assert first.shape == (6, DIM)
    assert not np.isclose(steps[:-1], steps[1:]).any()  # each step draws anew
    assert not np.isclose(first, second).any()  # the update advanced the generator
    srng.seed(3)
    np.testing.assert_allclose(f_numpy(np.zeros(DIM), 6), first, rtol=1e-12)
    np.testing.assert_allclose(f_numpy(np.zeros(DIM), 6), second, rtol=1e-12)


def test_walk_reseeded_after_compiling_repeats_and_set_value_changes(walk):
    srng, rng, f, _ = walk
    srng.seed(5)
    a = f(np.zeros(DIM), 4)
    srng.seed(5)
    np.testing.assert_array_equal(f(np.zeros(DIM), 4), a)
    rng.set_value(np.random.default_rng(123))
    b = f(np.zeros(DIM), 4)
    rng.set_value(np.random.default_rng(123))
    np.testing.assert_array_equal(f(np.zeros(DIM), 4), b)
    assert not np.isclose(a, b).any()
    # a shorter walk reads the same first draws: the loop draws step by step
    srng.seed(5)
    np.testing.assert_array_equal(f(np.zeros(DIM), 2), a[:2])


def test_walk_statistics_of_1e5_draws(walk):
    srng, _, f, _ = walk
    srng.seed(0)
    path = f(np.zeros(DIM), 2000)
    steps = np.diff(np.vstack([np.zeros(DIM), path]), axis=0)  # 10^5 standard normals
    assert abs(steps.mean()) < 0.015
    assert abs(steps.var() - 1.0) < 0.02
    lag_corr = np.mean(steps[1:] * steps[:-1])
    assert abs(lag_corr) < 0.015  # consecutive steps are independent


def test_explicit_rng_with_returned_update_equals_hand_written_lax_scan():
    rng = g.shared(np.random.default_rng(7))
    x0 = gt.dvector("x0")

    def step(h):
        next_rng, z = gt.random.normal(0.0, 1.0, size=(3,), rng=rng).owner.outputs
        return 0.5 * h + z, {rng: next_rng}

    path, updates = g.scan(step, outputs_info=x0, n_steps=5)
    assert list(updates) == [rng]
    f = g.function([x0], path, updates=updates)
    key = key_from_generator(np.random.default_rng(7))

    def reference(h, key):
        def body(carry, _):
            h, key = carry
            key, draw = jax.random.split(key)
            h = 0.5 * h + jax.random.normal(draw, (3,), "float64")
            return (h, key), h

        (_, key), path = jax.lax.scan(body, (h, key), None, length=5)
        return path, key

    expected, next_key = reference(jnp.ones(3, "float64"), key)
    np.testing.assert_allclose(f(np.ones(3)), expected, rtol=1e-12)
    np.testing.assert_array_equal(
        jax.random.key_data(rng.get_value(borrow=True, return_internal_type=True)),
        jax.random.key_data(next_key),
    )


def test_a_generator_created_outside_the_step_is_read_unchanged():
    """PyTensor's rule: only the step's own generators follow their default_update."""
    srng = RandomStream(seed=1)
    z = srng.normal(0.0, 1.0, size=(2,))
    outside_rng = srng.state_updates[0][0]
    draws, updates = g.scan(lambda: z * 1.0, n_steps=3)
    assert not updates and outside_rng.default_update is not None
    out = g.function([], draws)()
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out[1], out[2])


def test_until_loop_with_draws_stops_where_numpy_does():
    srng = RandomStream(seed=4)
    x0 = gt.dscalar("x0")

    def step(h):
        h = h + srng.uniform(0.0, 1.0)
        return h, until(h > 3.0)

    path, updates = g.scan(step, outputs_info=x0, n_steps=100)
    f = g.function([x0], path, updates=updates)
    f_numpy = g.function([x0], path, updates=updates, mode="NUMPY")
    for seed in (0, 1):
        srng.seed(seed)
        got = f(0.0)
        srng.seed(seed)
        np.testing.assert_allclose(f_numpy(0.0), got, rtol=1e-12)
        assert got[-1] > 3.0 and (got[:-1] <= 3.0).all()
        assert (np.diff(got) > 0).all() and (np.diff(got) < 1).all()


@pytest.fixture(scope="module")
def noisy_rnn():
    srng = RandomStream(seed=2)
    h0, W, n = gt.dvector("h0"), gt.dmatrix("W"), gt.iscalar("n")
    hs, updates = g.scan(
        lambda h, W: gt.tanh(W.dot(h) + 0.3 * srng.normal(0.0, 1.0, size=(3,))),
        outputs_info=h0,
        non_sequences=W,
        n_steps=n,
    )
    cost = (hs**2).sum()
    grads = g.grad(cost, [W, h0])
    return (
        srng,
        g.function([h0, W, n], [cost, *grads], updates=updates),
        g.function([h0, W, n], [cost, *grads], updates=updates, mode="NUMPY"),
        g.function([h0, W, n], cost, updates=updates),
    )


@pytest.mark.parametrize("n_steps", [1, 6])
def test_gradient_of_a_scan_with_draws_equals_finite_differences(noisy_rnn, n_steps):
    srng, f, f_numpy, f_cost = noisy_rnn
    h0 = np.array([0.3, -0.2, 0.5])
    W = np.array([[0.5, 0.1, 0.0], [0.2, 0.3, -0.1], [0.0, 0.4, 0.2]])
    srng.seed(9)
    cost, gW, gh0 = f(h0, W, n_steps)
    srng.seed(9)
    for got, want in zip(f_numpy(h0, W, n_steps), (cost, gW, gh0), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)

    def at(W_, h0_):
        srng.seed(9)  # the same draws at every point
        return f_cost(h0_, W_, n_steps)

    eps = 1e-6
    fd_W = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = eps
        fd_W[idx] = (at(W + e, h0) - at(W - e, h0)) / (2 * eps)
    fd_h0 = np.array([(at(W, h0 + e) - at(W, h0 - e)) / (2 * eps) for e in np.eye(3) * eps])
    np.testing.assert_allclose(gW, fd_W, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gh0, fd_h0, rtol=1e-6, atol=1e-8)


def test_gradient_through_a_draws_parameters_is_undefined():
    srng = RandomStream(seed=0)
    h0 = gt.dvector("h0")
    hs, _ = g.scan(lambda h: srng.normal(h, 1.0), outputs_info=h0, n_steps=3)
    with pytest.raises(NullTypeGradError):
        g.grad(hs.sum(), h0)
