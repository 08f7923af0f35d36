"""``wrap_jax``: JAX functions inside graphs (values, inferred types, gradients, NUMPY mode),
and the converse: ``Function.jax_fn`` under ``jax.jit``, ``jax.vmap`` and ``jax.grad``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from graph2jax.ops.jax_op import JAXOp

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))
W = RNG.normal(size=(3, 2))


def layer(x, w, activation="tanh"):
    """A hand-written dense layer, as a Flax or Equinox one would be (activation: static)."""
    return getattr(jnp, activation)(x @ w)


def loss_of(x, w):
    return jnp.sum(layer(x, w) ** 2)


@pytest.fixture(scope="module")
def wrapped():
    x, w = gt.dmatrix("x"), gt.dmatrix("w")
    out = g.wrap_jax(layer)(x, w, activation="sin")
    cost = (out**2).sum()
    return x, w, out, cost


def test_the_output_type_follows_the_inputs_known_and_unknown_dimensions(wrapped):
    x, w, out, _ = wrapped
    assert out.type.dtype == "float64" and out.type.shape == (None, None)
    w32 = gt.tensor("w", dtype="float32", shape=(3, None))
    fixed = g.wrap_jax(layer)(gt.tensor("x", dtype="float32", shape=(5, 3)), w32)
    assert fixed.type.dtype == "float32" and fixed.type.shape == (5, None)
    assert isinstance(out.owner.op, JAXOp) and "layer" in str(out.owner.op)


@pytest.mark.parametrize("mode", ["JAX", "NUMPY"])
def test_values_match_the_jax_function_in_each_mode(wrapped, mode):
    x, w, out, _ = wrapped
    f = g.function([x, w], out, mode=mode)
    np.testing.assert_allclose(f(X, W), np.sin(X @ W), rtol=1e-12)


def test_the_gradient_matches_jax_grad(wrapped):
    x, w, _, cost = wrapped
    f = g.function([x, w], g.grad(cost, [x, w]))
    expected = jax.grad(lambda a, b: jnp.sum(layer(a, b, "sin") ** 2), argnums=(0, 1))(X, W)
    for got, want in zip(f(X, W), expected, strict=True):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-10)


def test_the_gradient_matches_finite_differences():
    verify_grad(lambda x, w: g.wrap_jax(layer)(x, w), [X, W], rng=np.random.default_rng(1))
    verify_grad(lambda x, w: g.wrap_jax(loss_of)(x, w) * 1.0, [X, W], rng=np.random.default_rng(2))


def test_pytree_outputs_several_outputs_and_a_disconnected_one():
    @g.wrap_jax
    def stats(x):
        return {"mean": jnp.mean(x), "max": jnp.max(x), "count": jnp.asarray(x.shape[0])}

    x = gt.dvector("x")
    out = stats(x)
    assert out["count"].type.dtype in ("int64", "int32")
    dx = g.grad(out["mean"], x)  # only one output connected
    f = g.function([x], [out["mean"], out["max"], out["count"], dx])
    mean, top, count, grad = f(np.array([1.0, 5.0, 3.0]))
    assert (mean, top, count) == (3.0, 5.0, 3)
    np.testing.assert_allclose(grad, [1 / 3] * 3)


def test_the_decorator_with_arguments_and_bad_uses():
    @g.wrap_jax(allow_eval=False)
    def double(x):
        return 2 * x

    x = gt.dvector("x")
    np.testing.assert_array_equal(g.function([x], double(x))(np.ones(2)), [2.0, 2.0])

    @g.wrap_jax(allow_eval=False)
    def needs_sizes(x):
        return jnp.zeros(int(x.shape[0]) * 2)  # a concrete size: symbolic tracing fails

    with pytest.raises(ValueError, match="need the inputs' shapes"):
        needs_sizes(x)
    assert g.wrap_jax(needs_sizes.__wrapped__)(gt.as_tensor_variable(np.ones(3))).type.shape == (
        6,
    )  # allow_eval: the shape of a constant is computed
    op = g.wrap_jax(layer)(gt.dmatrix(), gt.dmatrix()).owner.op
    with pytest.raises(TypeError, match="takes 2 inputs, received 1"):
        op(gt.dmatrix())
    with pytest.raises(TypeError, match="must be TensorType"):
        op(gt.dmatrix(), gt.dvector("v"))


# -- the converse: a compiled graph inside JAX code --------------------------------------------


@pytest.fixture(scope="module")
def predict():
    x, w = gt.dvector("x"), gt.dmatrix("w")
    return g.function([x, w], gt.tanh(x @ w).sum())


def test_jax_fn_composes_with_jit_vmap_and_grad(predict):
    fn = predict.jax_fn

    def reference(x, w):
        return jnp.tanh(x @ w).sum()

    batched = jax.jit(jax.vmap(lambda x, w: fn(x, w)[0], in_axes=(0, None)))
    np.testing.assert_allclose(batched(X, W), jax.vmap(reference, (0, None))(X, W), rtol=1e-12)
    dw = jax.grad(lambda w: fn(X[0], w)[0])(W)
    np.testing.assert_allclose(dw, jax.grad(reference, 1)(X[0], W), rtol=1e-12)
