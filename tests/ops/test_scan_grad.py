"""scan gradients: the backward scan against jax.grad of hand-written lax.scan and finite differences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from graph2jax.scan import until
from tests.helpers import check_op, jax_grad_cases

RNG = np.random.default_rng(7)
HIDDEN, INPUT, STEPS = 4, 3, 5


def rnn(w, u, x, h0):
    hs, _ = g.scan(
        lambda xt, h, w_, u_: gt.tanh(gt.dot(w_, h) + gt.dot(u_, xt)),
        sequences=x,
        outputs_info=h0,
        non_sequences=[w, u],
    )
    return hs


def rnn_jax(w, u, x, h0):
    def step(h, xt):
        h = jnp.tanh(w @ h + u @ xt)
        return h, h

    return jax.lax.scan(step, h0, x)[1]


def gru(wz, wr, wh, x, h0):
    def step(xt, h):
        hx = gt.concatenate([h, xt])
        z = gt.sigmoid(gt.dot(wz, hx))
        r = gt.sigmoid(gt.dot(wr, hx))
        cand = gt.tanh(gt.dot(wh, gt.concatenate([r * h, xt])))
        return (1 - z) * h + z * cand

    hs, _ = g.scan(step, sequences=x, outputs_info=h0)  # the weights are read as free variables
    return hs


def gru_jax(wz, wr, wh, x, h0):
    def step(h, xt):
        hx = jnp.concatenate([h, xt])
        z = jax.nn.sigmoid(wz @ hx)
        r = jax.nn.sigmoid(wr @ hx)
        cand = jnp.tanh(wh @ jnp.concatenate([r * h, xt]))
        h = (1 - z) * h + z * cand
        return h, h

    return jax.lax.scan(step, h0, x)[1]


def test_rnn_gradients_match_jax_grad_of_lax_scan():
    w, u, x, h0 = gt.dmatrix("w"), gt.dmatrix("u"), gt.dmatrix("x"), gt.dvector("h0")
    values = [
        RNG.normal(size=(HIDDEN, HIDDEN)) * 0.5,
        RNG.normal(size=(HIDDEN, INPUT)),
        RNG.normal(size=(STEPS, INPUT)),
        RNG.normal(size=HIDDEN),
    ]
    check_op(jax_grad_cases({"rnn": (rnn, rnn_jax)}, values, RNG), [w, u, x, h0], values)


def test_gru_gradients_match_jax_grad_and_finite_differences():
    names = ("wz", "wr", "wh")
    ws = [gt.dmatrix(n) for n in names]
    x, h0 = gt.dmatrix("x"), gt.dvector("h0")
    values = [RNG.normal(size=(HIDDEN, HIDDEN + INPUT)) * 0.5 for _ in names]
    values += [RNG.normal(size=(STEPS, INPUT)), RNG.normal(size=HIDDEN)]
    check_op(jax_grad_cases({"gru": (gru, gru_jax)}, values, RNG), [*ws, x, h0], values)
    verify_grad(lambda *a: gru(*a).sum(), values, rng=np.random.default_rng(0))


def test_cumsum_and_power_gradients_by_finite_differences():
    verify_grad(
        lambda x: (
            g.scan(
                lambda v, acc: acc + v, sequences=x, outputs_info=gt.constant(0.0, dtype="float64")
            )[0]
            ** 2
        ).sum(),
        [RNG.normal(size=6)],
        rng=np.random.default_rng(1),
    )
    verify_grad(
        lambda a: g.scan(
            lambda prior, base: prior * base,
            outputs_info=gt.ones_like(a),
            non_sequences=a,
            n_steps=4,
        )[0][-1].sum(),
        [RNG.uniform(0.5, 1.5, size=3)],
        rng=np.random.default_rng(2),
    )


def test_power_gradient_with_symbolic_n_steps():
    a, k = gt.dvector("a"), gt.iscalar("k")
    powers, _ = g.scan(lambda p, b: p * b, outputs_info=gt.ones_like(a), non_sequences=a, n_steps=k)
    grad = g.grad(powers[-1].sum(), a)
    f = g.function([a, k], grad)
    base = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(f(base, 3), 3 * base**2)
    np.testing.assert_allclose(g.function([a, k], grad, mode="NUMPY")(base, 5), 5 * base**4)


def two_taps(x, init):
    out, _ = g.scan(
        lambda xp, xn, f2, f1: 0.5 * f2 + 0.3 * f1 * xp + gt.sin(xn),
        sequences=dict(input=x, taps=[-1, 1]),
        outputs_info=dict(initial=init, taps=[-2, -1]),
    )
    return out


def two_taps_jax(x, init):
    def step(carry, rows):
        f2, f1 = carry
        f = 0.5 * f2 + 0.3 * f1 * rows[0] + jnp.sin(rows[1])
        return (f1, f), f

    return jax.lax.scan(step, (init[0], init[1]), (x[:-2], x[2:]))[1]


def test_gradient_through_two_taps_and_sequence_taps():
    x, init = gt.dvector("x"), gt.dvector("init")
    values = [RNG.normal(size=7), RNG.normal(size=2)]
    check_op(jax_grad_cases({"taps": (two_taps, two_taps_jax)}, values, RNG), [x, init], values)


def test_truncate_gradient_stops_after_k_steps_back():
    x = gt.dvector("x")
    h0 = gt.dscalar("h0")
    hs, _ = g.scan(lambda v, h: h * 0.5 + v, sequences=x, outputs_info=h0, truncate_gradient=2)
    gx, gh0 = g.grad(hs[-1], [x, h0])
    f = g.function([x, h0], [gx, gh0])
    got_x, got_h0 = f(np.ones(5), 1.0)
    np.testing.assert_allclose(got_x, [0.0, 0.0, 0.0, 0.5, 1.0])
    assert float(got_h0) == 0.0


def test_jacobian_by_a_scan_over_the_gradient_of_a_scan():
    x = gt.dvector("x")
    y, _ = g.scan(
        lambda v, acc: acc * v + v, sequences=x, outputs_info=gt.constant(0.0, dtype="float64")
    )
    rows, _ = g.scan(
        lambda i, y_, x_: g.grad(y_[i], x_), sequences=gt.arange(y.shape[0]), non_sequences=[y, x]
    )
    f = g.function([x], rows)
    xv = np.array([0.5, 2.0, -1.0])

    def forward(xs):
        return jax.lax.scan(lambda acc, v: (acc * v + v, acc * v + v), 0.0, xs)[1]

    np.testing.assert_allclose(f(xv), jax.jacobian(forward)(xv), rtol=1e-12)


def test_gradient_of_an_until_scan_runs_back_over_the_steps_taken():
    x0 = gt.dscalar("x0")
    values, _ = g.scan(lambda p: (p * 2, until(p > 10)), outputs_info=x0, n_steps=10)
    f = g.function([x0], [values, g.grad(values[-1], x0)])
    trace, grad = f(1.5)
    np.testing.assert_allclose(trace, 1.5 * 2.0 ** np.arange(1, len(trace) + 1))
    assert float(grad) == 2.0 ** len(trace)  # d(x0 * 2**steps)/dx0


def test_hessian_differentiates_the_backward_scan():
    x = gt.dvector("x")
    y, _ = g.scan(
        lambda v, acc: acc * gt.sin(v) + v**2,
        sequences=x,
        outputs_info=gt.constant(0.0, dtype="float64"),
    )
    f = g.function([x], g.hessian(y[-1], x))

    def forward(xs):
        return jax.lax.scan(lambda acc, v: (acc * jnp.sin(v) + v**2, None), 0.0, xs)[0]

    xv = np.array([0.3, -1.2, 0.7, 2.0])
    np.testing.assert_allclose(f(xv), jax.hessian(forward)(xv), rtol=1e-10)


def test_gradient_through_a_shared_variable_the_step_updates():
    acc = g.shared(np.array(1.0), name="acc")
    x = gt.dvector("x")
    out, updates = g.scan(lambda v: (v * acc, {acc: acc * v}), sequences=x)
    # the update is the product of the rows: its gradient is the product of the others
    gx = g.grad(updates[acc], x)
    xv = np.array([2.0, 3.0, 5.0])
    np.testing.assert_allclose(g.function([x], gx)(xv), [15.0, 10.0, 6.0])
    np.testing.assert_allclose(g.function([x], gx, mode="NUMPY")(xv), [15.0, 10.0, 6.0])


def test_gradient_of_a_backwards_scan_with_a_free_shared_weight():
    w = g.shared(np.array([0.7, -0.4]), name="w")

    def cost(x):
        hs, _ = g.scan(
            lambda v, h: gt.tanh(h * w + v),
            sequences=x,
            outputs_info=gt.zeros(2, dtype="float64"),
            go_backwards=True,
        )
        return (hs**2).sum()

    verify_grad(cost, [RNG.normal(size=(5, 2))], rng=np.random.default_rng(3))
    x = gt.dmatrix("x")
    gw = g.grad(cost(x), w)
    xv = RNG.normal(size=(5, 2))

    def reference(wv):
        def step(h, v):
            h = jnp.tanh(h * wv + v)
            return h, h

        return jnp.sum(jax.lax.scan(step, jnp.zeros(2), xv[::-1])[1] ** 2)

    np.testing.assert_allclose(g.function([x], gw)(xv), jax.grad(reference)(w.get_value()))
