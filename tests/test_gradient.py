"""Tests of graph2jax.gradient: grad and its options, Lop/Rop, jacobian/hessian, verify_grad."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import (
    DisconnectedInputError,
    GradientError,
    Lop,
    NullTypeGradError,
    Rop,
    consider_constant,
    disconnected_grad,
    disconnected_type,
    grad,
    grad_clip,
    grad_scale,
    grad_undefined,
    hessian,
    hessian_vector_product,
    jacobian,
    subgraph_grad,
    undefined_grad,
    verify_grad,
    zero_grad,
)
from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import DisconnectedType, NullType, is_disconnected
from graph2jax.linker.dispatch import jax_funcify

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------------------
# test-only ops


class Twice(Op):
    """``2 * x``; subclasses give it a gradient."""

    def make_node(self, x):
        x = gt.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = 2 * inputs[0]


class WrongGrad(Twice):
    """``2 * x`` whose gradient is deliberately wrong (``3 * gz``)."""

    def L_op(self, inputs, outputs, output_grads):
        return [3 * output_grads[0]]


class DoubleNonlinearGrad(Twice):
    """``2 * x`` whose correct gradient ``2 * gz + 0 * gz * gz`` is not linear in ``gz`` as a graph."""

    def L_op(self, inputs, outputs, output_grads):
        (gz,) = output_grads
        return [2 * gz + 0 * gz * gz]


class UndefinedGrad(Op):
    """``x + y`` whose gradient wrt ``y`` is undefined."""

    def make_node(self, x, y):
        x, y = gt.as_tensor_variable(x), gt.as_tensor_variable(y)
        return Apply(self, [x, y], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + inputs[1]

    def L_op(self, inputs, outputs, output_grads):
        return [output_grads[0], grad_undefined(self, 1, inputs[1], "for the test")]


class SinCos(Op):
    """Two outputs, ``sin(x)`` and ``cos(x)``; its ``L_op`` records the output gradients it gets."""

    received: list = []

    def make_node(self, x):
        x = gt.as_tensor_variable(x)
        return Apply(self, [x], [x.type(), x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.sin(inputs[0])
        output_storage[1][0] = np.cos(inputs[0])

    def L_op(self, inputs, outputs, output_grads):
        SinCos.received.append(output_grads)
        gs, gc = output_grads
        terms = [] if is_disconnected(gs) else [gs * outputs[1]]
        if not is_disconnected(gc):
            terms.append(-gc * outputs[0])
        return [sum(terms[1:], terms[0])]


jax_funcify.register(Twice)(lambda op, node: lambda x: 2 * x)
jax_funcify.register(UndefinedGrad)(lambda op, node: lambda x, y: x + y)
jax_funcify.register(SinCos)(lambda op, node: lambda x: (jnp.sin(x), jnp.cos(x)))


# ---------------------------------------------------------------------------
# grad against jax.grad


def _poly(xp, x, w, b):
    return xp.sum(xp.tanh(x * w + b) ** 2 + xp.exp(-(x**3)) * w - 0.5 * b * b)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_grad_matches_jax_grad_through_broadcasting(dtype):
    x = gt.matrix("x", dtype=dtype)
    w = gt.row("w", dtype=dtype)
    b = gt.scalar("b", dtype=dtype)
    cost = _poly(gt, x, w, b)
    grads = grad(cost, [x, w, b])
    assert [(v.dtype, v.ndim) for v in grads] == [(dtype, 2), (dtype, 2), (dtype, 0)]
    assert grads[1].type.shape[0] == 1
    values = [
        RNG.normal(size=(3, 4)).astype(dtype),
        RNG.normal(size=(1, 4)).astype(dtype),
        np.asarray(0.3, dtype=dtype),
    ]
    got = g.function([x, w, b], grads)(*values)
    expected = jax.grad(lambda *a: _poly(jnp, *a), argnums=(0, 1, 2))(*values)
    tol = 1e-4 if dtype == "float32" else 1e-10
    for a, e in zip(got, expected, strict=True):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)


def test_grad_sums_the_terms_of_a_variable_used_several_times_and_returns_forms():
    x = gt.dscalar("x")
    y = x * x
    cost = y * x + y + gt.exp(x)
    single, as_list, as_tuple = grad(cost, x), grad(cost, [x]), grad(cost, (x, y))
    assert isinstance(as_list, list) and isinstance(as_tuple, tuple)
    f = g.function([x], [single, as_list[0], *as_tuple])
    r = f(1.5)
    np.testing.assert_allclose(r[0], 3 * 1.5**2 + 2 * 1.5 + np.exp(1.5))
    np.testing.assert_allclose(r[1], r[0])
    np.testing.assert_allclose(r[3], 1.5 + 1)  # d cost / d y holding x
    # the total derivative wrt x counts the path through y as well
    np.testing.assert_allclose(r[2], r[0])


def test_grad_of_cost_wrt_itself_is_one_and_names_gradients():
    x = gt.dscalar("x")
    cost = gt.exp(x)
    cost.name = "cost"
    g_cost, g_x = grad(cost, [cost, x])
    assert g_x.name == "(dcost/dx)"
    np.testing.assert_allclose(g.function([x], [g_cost, g_x])(0.5), [1.0, np.exp(0.5)])


def test_consider_constant_stops_the_gradient():
    x = gt.dvector("x")
    y = gt.exp(x)
    cost = gt.sum(y * x)
    g_free, g_const = grad(cost, x), grad(cost, x, consider_constant=[y])
    xv = np.array([0.5, -1.0])
    got_free, got_const = g.function([x], [g_free, g_const])(xv)
    np.testing.assert_allclose(got_free, np.exp(xv) * (xv + 1))
    np.testing.assert_allclose(got_const, np.exp(xv))


def test_disconnected_inputs_modes():
    x, z = gt.dvector("x"), gt.dmatrix("z")
    z.name = "zed"
    cost = gt.sum(x * 2.0)
    with pytest.raises(DisconnectedInputError, match="zed"):
        grad(cost, [x, z])
    with pytest.warns(UserWarning, match="zed"):
        grad(cost, z, disconnected_inputs="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gz = grad(cost, z, disconnected_inputs="ignore")
    assert gz.type == z.type
    np.testing.assert_array_equal(g.function([z], gz)(np.ones((2, 3))), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="disconnected_inputs"):
        grad(cost, z, disconnected_inputs="maybe")


def test_non_differentiable_paths_give_zeros_and_shape_paths_are_disconnected():
    """As PyTensor: argmax, argsort, comparisons and casts to integers are steps with a zero
    gradient (also with a discrete cost); a path through the shape only is disconnected."""
    x = gt.dvector("x")
    costs = [
        gt.sum(gt.argmax(x)),
        gt.sum(gt.argsort(x) * 1.0),
        gt.sum(gt.cast(x > 0, "float64")),
        gt.sum(gt.cast(gt.floor(x), "int64")),
        gt.sum(x * gt.cast(gt.argmax(x), "float64")),
    ]
    grads = [grad(c, x) for c in costs]
    xv = np.array([0.5, 2.0, -1.0])
    got = g.function([x], grads)(xv)
    for got_k in got[:-1]:
        np.testing.assert_array_equal(got_k, np.zeros(3))
    np.testing.assert_array_equal(got[-1], np.full(3, 1.0))  # argmax is 1: d(x * 1)/dx
    with pytest.raises(DisconnectedInputError):
        grad(gt.sum(x.shape), x)


def test_return_disconnected_modes():
    x, z = gt.dvector("x"), gt.dvector("z")
    cost = gt.sum(x)
    kw = {"disconnected_inputs": "ignore"}
    assert grad(cost, z, return_disconnected="none", **kw) is None
    assert isinstance(
        grad(cost, z, return_disconnected="disconnected", **kw).type, DisconnectedType
    )
    assert isinstance(disconnected_type().type, DisconnectedType)
    assert grad(cost, z, return_disconnected="zero", **kw).type == z.type
    with pytest.raises(ValueError, match="return_disconnected"):
        grad(cost, z, return_disconnected="zeros", **kw)


def test_integer_wrt_upcast_gets_the_continuous_gradient():
    # PyTensor's contract: an integer input upcast by the graph is differentiated as if continuous
    i, x = gt.ivector("i"), gt.dvector("x")
    gi = grad(gt.sum(i * x), i)
    assert gi.dtype == "float64" and gi.ndim == 1
    f = g.function([i, x], [gi, grad(gt.sum(gt.cast(i, "float64") ** 2), i)])
    got_mul, got_sq = f(np.array([1, 2], "int32"), np.array([0.5, -3.0]))
    np.testing.assert_array_equal(got_mul, [0.5, -3.0])
    np.testing.assert_array_equal(got_sq, [2.0, 4.0])
    with pytest.raises(DisconnectedInputError):
        grad(gt.sum(x), i)


def test_integer_wrt_through_a_matrix_product_equals_the_float_result():
    X, Xf, W = gt.imatrix("X"), gt.dmatrix("Xf"), gt.dmatrix("W")
    gi = grad(gt.sigmoid(X @ W).sum(), X)
    gf = grad(gt.sigmoid(Xf @ W).sum(), Xf)
    Xv = np.array([[1, 2], [3, -4]], dtype="int32")
    Wv = np.array([[0.1, 0.2], [0.3, -0.4]])
    got_i = g.function([X, W], gi)(Xv, Wv)
    got_f = g.function([Xf, W], gf)(Xv.astype("float64"), Wv)
    s = 1 / (1 + np.exp(-(Xv @ Wv)))
    np.testing.assert_allclose(got_i, (s * (1 - s)) @ Wv.T)
    np.testing.assert_allclose(got_i, got_f)


def test_integer_wrt_through_discrete_ops_gets_floatx_zeros():
    i = gt.ivector("i")
    iv = np.array([1, 2], "int32")
    grads = [grad(gt.sum(i * 2), i), grad(gt.sum(i), i), grad(gt.cast(gt.max(i), "float64"), i)]
    assert [gr.dtype for gr in grads] == [g.config.floatX] * 3
    for got in g.function([i], grads)(iv):
        np.testing.assert_array_equal(got, [0.0, 0.0])


def test_grad_of_an_integer_with_respect_to_itself_is_one():
    s = gt.iscalar("s")
    gs = grad(s, s)
    assert gs.dtype == g.config.floatX
    assert g.function([s], gs, on_unused_input="ignore")(3) == 1.0


def test_known_grads_on_integer_variables():
    i, x = gt.ivector("i"), gt.dvector("x")
    y = i * 3  # an integer intermediate
    gx = grad(None, x, known_grads={gt.cast(i, "float64") * x: gt.ones(2)})
    np.testing.assert_array_equal(gx.eval({i: np.array([2, 5], "int32")}), [2.0, 5.0])
    # a float gradient given for an integer variable flows to its upcasting consumers' inputs
    gi = grad(None, i, known_grads={i: gt.as_tensor(np.array([0.5, 1.5]))})
    np.testing.assert_array_equal(gi.eval(), [0.5, 1.5])
    with pytest.raises(TypeError, match="continuous"):
        grad(None, i, known_grads={y: gt.ones(2, dtype="int32")})


def test_grad_with_respect_to_a_constant_and_with_consider_constant():
    x = gt.dscalar("x")
    c = gt.constant(3.0)
    assert grad(c * x, c).eval({x: 2.0}) == 2.0
    y = x**2
    # consider_constant: y is a constant there, so d(y * x)/dx = y
    assert grad(y * x, x, consider_constant=[y]).eval({x: 2.0}) == 4.0
    assert grad(y * x, x).eval({x: 2.0}) == 12.0
    with pytest.raises(DisconnectedInputError):
        grad(gt.constant(1.0) * 2, x)


def test_bad_arguments_raise():
    x = gt.dvector("x")
    with pytest.raises(TypeError, match="scalar"):
        grad(x * 2, x)
    with pytest.raises(TypeError, match="wrt"):
        grad(gt.sum(x), [x, 3.0])
    with pytest.raises(TypeError, match="consider_constant"):
        grad(gt.sum(x), x, consider_constant=[1.0])
    with pytest.raises(ValueError, match="cost or known_grads"):
        grad(None, x)
    with pytest.raises(ValueError, match="has type"):
        grad(None, x, known_grads={x * 2: gt.dmatrix()})
    x3 = gt.dvector("x3", shape=(3,))
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        grad(None, x3, known_grads={x3 * 2: gt.dvector(shape=(4,))})


def test_null_gradient_raises_or_is_returned():
    x, y = gt.dvector("x"), gt.dvector("y")
    cost = gt.sum(UndefinedGrad()(x, y) * 2.0)
    np.testing.assert_array_equal(
        g.function([x, y], grad(cost, x))(np.ones(2), np.ones(2)), [2.0, 2.0]
    )
    with pytest.raises(NullTypeGradError, match="undefined. for the test"):
        grad(cost, y)
    gy = grad(cost, [y], null_gradients="return")[0]
    assert isinstance(gy.type, NullType)


def test_unused_output_of_a_multi_output_op_gets_a_disconnected_gradient():
    x = gt.dvector("x")
    s, c = SinCos()(x)
    SinCos.received = []
    gx_s, gx_c = grad(gt.sum(s), x), grad(gt.sum(c * c), x)
    (gs, gc_unused), (gs_unused, gc) = SinCos.received
    assert is_disconnected(gc_unused) and is_disconnected(gs_unused)
    assert not is_disconnected(gs) and not is_disconnected(gc)
    xv = np.array([0.3, 1.2])
    got_s, got_c = g.function([x], [gx_s, gx_c])(xv)
    np.testing.assert_allclose(got_s, np.cos(xv))
    np.testing.assert_allclose(got_c, -2 * np.cos(xv) * np.sin(xv))


def test_known_grads_seed_the_backward_pass_and_add_to_the_cost():
    x = gt.dvector("x")
    y = gt.exp(x)
    v = gt.dvector("v")
    only_known = grad(None, x, known_grads={y: v})
    both = grad(gt.sum(x * 3.0), x, known_grads={y: v})
    xv, vv = np.array([0.1, 0.7]), np.array([2.0, -1.0])
    got_known, got_both = g.function([x, v], [only_known, both])(xv, vv)
    np.testing.assert_allclose(got_known, vv * np.exp(xv))
    np.testing.assert_allclose(got_both, vv * np.exp(xv) + 3.0)


def test_grad_in_updates_trains_a_shared_weight():
    rng = np.random.default_rng(1)
    X, true_w = rng.normal(size=(20, 3)), np.array([1.0, -2.0, 0.5])
    Y = np.tanh(X @ true_w)
    W = g.shared(np.zeros(3), name="W")
    x, y = gt.dmatrix("x"), gt.dvector("y")
    pred = gt.tanh(gt.sum(x * W.dimshuffle("x", 0), axis=1))
    loss = gt.mean((pred - y) ** 2)
    step = g.function([x, y], loss, updates=[(W, W - 0.5 * grad(loss, W))])
    losses = [float(step(X, Y)) for _ in range(30)]
    assert losses[-1] < 0.2 * losses[0]


# ---------------------------------------------------------------------------
# Lop, Rop, jacobian, hessian


def _f_jax(x, w):
    return jnp.tanh(x * w) * jnp.exp(x)


def test_lop_and_rop_match_jax_vjp_and_jvp():
    x, w = gt.dvector("x"), gt.dvector("w")
    u, vx, vw = gt.dvector("u"), gt.dvector("vx"), gt.dvector("vw")
    y = gt.tanh(x * w) * gt.exp(x)
    lop = Lop(y, [x, w], u)
    rop = Rop(y, [x, w], [vx, vw])
    assert isinstance(lop, list) and not isinstance(rop, list)
    values = [RNG.normal(size=4) for _ in range(5)]
    xv, wv, uv, vxv, vwv = values
    got_lop_x, got_lop_w, got_rop = g.function([x, w, u, vx, vw], [*lop, rop])(*values)
    _, vjp = jax.vjp(_f_jax, xv, wv)
    e_lop = vjp(uv)
    _, e_rop = jax.jvp(_f_jax, (xv, wv), (vxv, vwv))
    np.testing.assert_allclose(got_lop_x, e_lop[0], rtol=1e-10)
    np.testing.assert_allclose(got_lop_w, e_lop[1], rtol=1e-10)
    np.testing.assert_allclose(got_rop, e_rop, rtol=1e-10)


def test_rop_disconnected_outputs():
    x, z, v = gt.dvector("x"), gt.dvector("z"), gt.dvector("v")
    with pytest.raises(DisconnectedInputError, match="does not depend"):
        Rop(z * 2.0, x, v)
    r = Rop([z * 2.0, x * x], x, v, disconnected_outputs="ignore")
    got = g.function([x, z, v], r)(np.array([1.0, 2.0]), np.ones(3), np.array([1.0, 1.0]))
    np.testing.assert_array_equal(got[0], np.zeros(3))
    np.testing.assert_array_equal(got[1], [2.0, 4.0])
    with pytest.raises(ValueError, match="has type"):
        Rop(x * x, x, gt.dmatrix())


def test_rop_replaces_a_cotangent_an_l_op_keeps_in_its_graph():
    x, v = gt.dvector("x"), gt.dvector("v")
    r = Rop(DoubleNonlinearGrad()(x), x, v)
    np.testing.assert_array_equal(
        g.function([x, v], r)(np.array([1.0, 2.0]), np.array([3.0, -1.0])), [6.0, -2.0]
    )


def test_lop_return_disconnected_and_hessian_vector_product():
    x, w, u, p = gt.dvector("x"), gt.dvector("w"), gt.dvector("u"), gt.dvector("p")
    g_x, g_w = Lop(x * 2.0, [x, w], u, disconnected_inputs="ignore", return_disconnected="none")
    assert g_w is None
    cost = gt.sum(gt.exp(x) * w**2)
    hv_x, hv_w = hessian_vector_product(cost, [x, w], [p, p])
    single = hessian_vector_product(cost, x, p)
    xv, wv, pv = (RNG.normal(size=3) for _ in range(3))
    got = g.function([x, w, p], [hv_x, hv_w, single], mode="NUMPY")(xv, wv, pv)
    # the Hessian of sum(exp(x) * w**2) is diagonal in each block
    e = np.exp(xv)
    np.testing.assert_allclose(got[0], e * wv**2 * pv + 2 * wv * e * pv, rtol=1e-10)
    np.testing.assert_allclose(got[1], 2 * wv * e * pv + 2 * e * pv, rtol=1e-10)
    np.testing.assert_allclose(got[2], e * wv**2 * pv, rtol=1e-10)
    with pytest.raises(ValueError, match="in p"):
        hessian_vector_product(cost, [x, w], [p])


def test_derived_bad_arguments_raise():
    x, z = gt.dvector("x"), gt.dvector("z")
    with pytest.raises(ValueError, match="eval_points"):
        Lop([x * 2, x * 3], x, [z])
    with pytest.raises(TypeError, match="scalar"):
        hessian(x * 2, x)
    with pytest.raises(DisconnectedInputError):
        jacobian(x * 2, z)
    with pytest.raises(ValueError, match="use_op_rop_implementation"):
        Rop(x * 2, x, z, use_op_rop_implementation=True)


def _cost_jax(x):
    return jnp.sum(jnp.exp(x) * x**3)


@pytest.mark.parametrize("static", [True, False], ids=["unrolled", "batched"])
def test_jacobian_and_hessian_match_jax(static):
    x = gt.dvector("x", shape=(3,) if static else None)
    cost = gt.sum(gt.exp(x) * x**3)
    jac = jacobian(gt.exp(x) * x**3, x)
    hess = hessian(cost, x)
    assert (jac.owner.op.__class__.__name__ == "JacobianRows") == (not static)
    xv = np.array([0.3, -1.2, 0.8])
    for mode in ("FAST_RUN", "NUMPY"):
        got_jac, got_hess = g.function([x], [jac, hess], mode=mode)(xv)
        np.testing.assert_allclose(got_jac, jax.jacobian(lambda v: jnp.exp(v) * v**3)(xv))
        np.testing.assert_allclose(got_hess, jax.hessian(_cost_jax)(xv), rtol=1e-10)


def test_jacobian_of_several_wrt_and_nd_expressions():
    x, s = gt.dvector("x", shape=(2,)), gt.dscalar("s")
    m = gt.dmatrix("m")
    jx, js = jacobian(gt.exp(x) * s, [x, s])
    jm = jacobian(gt.exp(m) * s, m)
    j_scalar = jacobian(gt.sum(x) * s, s)
    assert jx.type.shape == (2, 2) and js.type.shape == (2,) and jm.ndim == 4
    xv, mv = np.array([0.5, 1.5]), RNG.normal(size=(2, 3))
    got = g.function([x, s, m], [jx, js, jm, j_scalar])(xv, 2.0, mv)
    np.testing.assert_allclose(got[0], np.diag(2.0 * np.exp(xv)))
    np.testing.assert_allclose(got[1], np.exp(xv))
    np.testing.assert_allclose(got[2], jax.jacobian(lambda v: jnp.exp(v) * 2.0)(mv))
    np.testing.assert_allclose(got[3], xv.sum())


def test_batched_jacobian_cannot_be_differentiated_again():
    x = gt.dvector("x")
    jac = jacobian(gt.exp(x), x, vectorize=True)
    with pytest.raises(NullTypeGradError, match="batching"):
        grad(gt.sum(jac), x)


# ---------------------------------------------------------------------------
# verify_grad


def test_verify_grad_passes_on_correct_gradients():
    pts = [RNG.normal(size=(2, 3)), RNG.normal(size=(1, 3))]
    verify_grad(lambda a, b: gt.tanh(a * b) * gt.exp(b), pts, rng=np.random.default_rng(0))
    verify_grad(lambda a: a**3, [RNG.normal(size=3).astype("float32")], rng=RNG)


def test_verify_grad_raises_gradient_error_on_a_wrong_gradient():
    with pytest.raises(GradientError) as info:
        verify_grad(lambda a: WrongGrad()(a), [np.array([1.0, 2.0])], rng=np.random.default_rng(0))
    err = info.value
    assert err.arg == 0 and 0 <= err.err_pos < 2
    assert err.abs_err > err.abs_tol and err.rel_err > err.rel_tol
    assert "input 0" in str(err)


def test_verify_grad_rejects_bad_inputs():
    with pytest.raises(TypeError, match="float"):
        verify_grad(lambda a: a * 2, [np.array([1, 2])], rng=RNG)
    with pytest.raises(TypeError, match="single"):
        verify_grad(lambda a: [a, a], [np.array([1.0])], rng=RNG)


# ---------------------------------------------------------------------------
# gradient modifiers


def test_gradient_modifiers_change_only_the_gradient():
    x = gt.dvector("x")
    y = x * 3.0
    outs = {
        "zero": grad(gt.sum(zero_grad(y) * x), x),
        "constant": grad(gt.sum(consider_constant(y) * x), x),
        "clip": grad(gt.sum(grad_clip(y, -1.0, 2.5) * y), x),
        "scale": grad(gt.sum(grad_scale(y, -0.5)), x),
        "value": gt.sum(zero_grad(y) + grad_clip(y, 0.0, 1.0) + grad_scale(y, 2.0)),
    }
    xv = np.array([0.1, 1.0, -2.0])
    got = dict(zip(outs, g.function([x], list(outs.values()))(xv), strict=True))
    np.testing.assert_allclose(got["zero"], 3 * xv)
    np.testing.assert_allclose(got["constant"], 3 * xv)
    np.testing.assert_allclose(got["clip"], 3 * (3 * xv + np.clip(3 * xv, -1.0, 2.5)))
    np.testing.assert_allclose(got["scale"], [-1.5] * 3)
    np.testing.assert_allclose(got["value"], 3 * np.sum(3 * xv))
    with pytest.raises(DisconnectedInputError):
        grad(gt.sum(disconnected_grad(y)), x)
    with pytest.raises(NullTypeGradError, match="undefined_grad"):
        grad(gt.sum(undefined_grad(y)), x)
    with pytest.raises(ValueError, match="lower_bound"):
        grad_clip(x, 1.0, 0.0)


def test_subgraph_grad_chains_stages_like_one_backward_pass():
    x, w1, w2 = gt.dvector("x"), gt.dvector("w1"), gt.dvector("w2")
    h = gt.tanh(x * w1)
    cost = gt.sum(gt.exp(h * w2))
    (g_w2,), (g_h,) = subgraph_grad([w2], [h], cost=cost)
    (g_w1,), _, start_part, cost_part = subgraph_grad([w1], [], start={h: g_h}, details=True)
    assert cost_part is None and len(start_part) == 1
    full = grad(cost, [w1, w2])
    values = [RNG.normal(size=3) for _ in range(3)]
    got = g.function([x, w1, w2], [g_w1, g_w2, *full])(*values)
    np.testing.assert_allclose(got[0], got[2])
    np.testing.assert_allclose(got[1], got[3])
    with pytest.raises(ValueError, match="cost or start"):
        subgraph_grad([w1], [])


def test_grad_undefined_takes_pytensor_argument_names():
    x = gt.dscalar("x")
    assert "input 1" in grad_undefined(op="MyOp", x_pos=1, x=x, comment="").type.why_null


def test_gradient_has_the_static_shape_of_wrt():
    """The terms of x2's gradient lose its static length 2 (a matmul with an unknown length)."""
    x1, x2 = gt.tensor(dtype="float64", shape=(3, None)), gt.tensor(dtype="float64", shape=(2, 1))
    gx2 = g.grad(gt.sum(gt.matmul(x1, x2)), x2)
    assert gx2.type.shape == (2, 1)
    np.testing.assert_allclose(gx2.eval({x1: np.ones((3, 2)), x2: np.ones((2, 1))}), [[3], [3]])
