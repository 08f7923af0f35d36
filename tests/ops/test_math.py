"""Tests of the elementwise functions (graph2jax/ops/math.py) and the Elemwise op
(graph2jax/ops/elemwise.py): values against direct numpy formulas, broadcasting, errors,
properties and gradients (the dtype rules are in test_math_dtypes.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import NullTypeGradError, verify_grad
from tests.helpers import compare_jax_and_numpy

# input domains (low, high) where each function is defined and well conditioned
ANY, POS, UNIT, GT1, HALVES = (-3.0, 3.0), (0.2, 3.0), (-0.9, 0.9), (1.2, 4.0), "halves"
FLOATS = ("float32", "float64")
NUMBERS = (*FLOATS, "int32", "int64")
INTS = ("int32", "int64", "bool")
# what a function does to an input dtype: upgrade_to_float, keep it, or give bool
TO_FLOAT = {"float32": "float32", "float64": "float64", "int32": "float64", "int64": "float64"}
TO_FLOAT |= {"bool": "float32", "int8": "float32"}


def _round_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


# name, direct numpy formula, domain, dtypes tested, output-dtype rule, differentiable
UNARY = [
    ("exp", np.exp, ANY, NUMBERS, "float", True),
    ("exp2", lambda x: 2.0**x, ANY, FLOATS, "float", True),
    ("expm1", lambda x: np.exp(x) - 1, ANY, FLOATS, "float", True),
    ("log", np.log, POS, NUMBERS, "float", True),
    ("log2", lambda x: np.log(x) / np.log(2), POS, FLOATS, "float", True),
    ("log10", lambda x: np.log(x) / np.log(10), POS, FLOATS, "float", True),
    ("log1p", lambda x: np.log(1 + x), POS, NUMBERS, "float", True),
    ("sqrt", lambda x: x**0.5, POS, NUMBERS, "float", True),
    ("sin", np.sin, ANY, NUMBERS, "float", True),
    ("cos", np.cos, ANY, FLOATS, "float", True),
    ("tan", lambda x: np.sin(x) / np.cos(x), UNIT, FLOATS, "float", True),
    ("tanh", lambda x: (np.exp(2 * x) - 1) / (np.exp(2 * x) + 1), ANY, NUMBERS, "float", True),
    ("sinh", lambda x: (np.exp(x) - np.exp(-x)) / 2, ANY, FLOATS, "float", True),
    ("cosh", lambda x: (np.exp(x) + np.exp(-x)) / 2, ANY, FLOATS, "float", True),
    ("arcsin", np.arcsin, UNIT, FLOATS, "float", True),
    ("arccos", np.arccos, UNIT, FLOATS, "float", True),
    ("arctan", np.arctan, ANY, NUMBERS, "float", True),
    ("arcsinh", lambda x: np.log(x + np.sqrt(x * x + 1)), ANY, FLOATS, "float", True),
    ("arccosh", lambda x: np.log(x + np.sqrt(x * x - 1)), GT1, FLOATS, "float", True),
    ("arctanh", lambda x: 0.5 * np.log((1 + x) / (1 - x)), UNIT, FLOATS, "float", True),
    ("abs", np.abs, ANY, NUMBERS, "same", True),
    ("sign", np.sign, ANY, NUMBERS, "same", False),
    ("neg", lambda x: -x, ANY, NUMBERS, "same", True),
    ("sqr", lambda x: x * x, ANY, NUMBERS, "same", True),
    ("reciprocal", lambda x: 1 / x, POS, NUMBERS, "float", True),
    ("floor", np.floor, HALVES, NUMBERS, "float", False),
    ("ceil", np.ceil, HALVES, NUMBERS, "float", False),
    ("trunc", np.trunc, HALVES, NUMBERS, "float", False),
    ("round_half_to_even", np.round, HALVES, FLOATS, "same", False),
    ("round_half_away_from_zero", _round_away, HALVES, FLOATS, "same", False),
    ("erf", sp.erf, ANY, NUMBERS, "float", True),
    ("erfc", lambda x: 1 - sp.erf(x), ANY, FLOATS, "float", True),
    ("erfinv", sp.erfinv, UNIT, FLOATS, "float", True),
    ("gamma", sp.gamma, POS, FLOATS, "float", True),
    ("gammaln", lambda x: np.log(np.abs(sp.gamma(x))), POS, NUMBERS, "float", True),
    ("psi", sp.digamma, POS, FLOATS, "float", True),
    ("tri_gamma", lambda x: sp.polygamma(1, x), POS, FLOATS, "float", False),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), ANY, NUMBERS, "float", True),
    ("softplus", lambda x: np.log(1 + np.exp(x)), ANY, NUMBERS, "float", True),
    ("isnan", np.isnan, ANY, NUMBERS, "bool", False),
    ("isinf", np.isinf, ANY, NUMBERS, "bool", False),
    ("invert", np.invert, ANY, INTS, "same", False),
    ("tensor_copy", lambda x: x, ANY, (*NUMBERS, "bool"), "same", True),
    ("real", lambda x: x, ANY, FLOATS, "same", True),
]

# name, formula, domains of (a, b), dtypes, output-dtype rule, differentiable
BINARY = [
    ("add", lambda a, b: a + b, (ANY, ANY), NUMBERS, "same", True),
    ("sub", lambda a, b: a - b, (ANY, ANY), NUMBERS, "same", True),
    ("mul", lambda a, b: a * b, (ANY, ANY), NUMBERS, "same", True),
    ("true_div", lambda a, b: a / b, (ANY, POS), NUMBERS, "float", True),
    ("int_div", lambda a, b: np.floor(a / b), (ANY, POS), NUMBERS, "same", False),
    ("mod", lambda a, b: a - b * np.floor(a / b), (ANY, POS), NUMBERS, "same", True),
    ("pow", lambda a, b: np.exp(b * np.log(a)), (POS, ANY), FLOATS, "same", True),
    ("maximum", lambda a, b: np.where(a > b, a, b), (ANY, ANY), NUMBERS, "same", True),
    ("minimum", lambda a, b: np.where(a < b, a, b), (ANY, ANY), NUMBERS, "same", True),
    ("arctan2", lambda a, b: np.angle(b + 1j * a), (ANY, ANY), NUMBERS, "float", True),
    ("eq", lambda a, b: a == b, (ANY, ANY), NUMBERS, "bool", False),
    ("neq", lambda a, b: a != b, (ANY, ANY), NUMBERS, "bool", False),
    ("lt", lambda a, b: a < b, (ANY, ANY), NUMBERS, "bool", False),
    ("le", lambda a, b: a <= b, (ANY, ANY), NUMBERS, "bool", False),
    ("gt", lambda a, b: a > b, (ANY, ANY), NUMBERS, "bool", False),
    ("ge", lambda a, b: a >= b, (ANY, ANY), NUMBERS, "bool", False),
    ("and_", lambda a, b: a & b, (ANY, ANY), INTS, "same", False),
    ("or_", lambda a, b: a | b, (ANY, ANY), INTS, "same", False),
    ("xor", lambda a, b: a ^ b, (ANY, ANY), INTS, "same", False),
]


def _sample(domain, dtype, shape, rng):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if domain == HALVES:  # exact halves and integers test the rounding rules
        values = rng.integers(-7, 8, size=shape) / 2
        return values.astype(dtype) if dtype in FLOATS else np.trunc(values).astype(dtype)
    low, high = domain
    if dtype in FLOATS:
        return rng.uniform(low, high, size=shape).astype(dtype)
    return rng.integers(int(np.ceil(low)), int(np.floor(high)) + 1, size=shape).astype(dtype)


def _expected_dtype(rule, dtype):
    return {"float": TO_FLOAT[dtype], "same": dtype, "bool": "bool"}[rule]


def _cases(table):
    return [
        pytest.param(name, formula, domain, dtype, rule, id=f"{name}-{dtype}")
        for name, formula, domain, dtypes, rule, _ in table
        for dtype in dtypes
    ]


@pytest.mark.parametrize("name, formula, domain, dtype, rule", _cases(UNARY))
def test_unary_function_matches_numpy_formula(name, formula, domain, dtype, rule):
    rng = np.random.default_rng(1)
    x = gt.tensor(dtype, shape=(None, None), name="x")
    out = getattr(gt, name)(x)
    assert out.dtype == _expected_dtype(rule, dtype)
    value = _sample(domain, dtype, (3, 4), rng)
    with np.errstate(all="ignore"):
        expected = formula(value.astype("float64") if rule == "float" else value)
    compare_jax_and_numpy([x], out, [value], expected=expected)


@pytest.mark.parametrize("name, formula, domain, dtype, rule", _cases(BINARY))
def test_binary_function_matches_numpy_formula_with_broadcasting(
    name, formula, domain, dtype, rule
):
    rng = np.random.default_rng(2)
    a = gt.tensor(dtype, shape=(None, None), name="a")
    b = gt.tensor(dtype, shape=(1, None), name="b")  # a row: broadcasts along axis 0
    out = getattr(gt, name)(a, b)
    assert out.dtype == _expected_dtype(rule, dtype)
    va, vb = _sample(domain[0], dtype, (3, 4), rng), _sample(domain[1], dtype, (1, 4), rng)
    with np.errstate(all="ignore"):
        expected = formula(*(v.astype("float64") if rule == "float" else v for v in (va, vb)))
    compare_jax_and_numpy([a, b], out, [va, vb], expected=expected)


def test_ternary_and_complex_functions_match_numpy():
    rng = np.random.default_rng(3)
    x, lo, hi = gt.dvector("x"), gt.dscalar("lo"), gt.dscalar("hi")
    c, z = gt.bvector("c"), gt.zvector("z")
    outs = [
        gt.clip(x, lo, hi),
        gt.switch(c, x, -x),
        gt.where(c, x, 2.0),
        gt.abs(z),
        gt.real(z),
        gt.imag(z),
        gt.conj(z),
        gt.complex(x, x),
        gt.exp(z),
    ]
    vx, vc = rng.uniform(-2, 2, 6), np.array([1, 0, 1, 1, 0, 0], dtype="int8")
    vz = rng.normal(size=6) + 1j * rng.normal(size=6)
    expected = [
        np.minimum(np.maximum(vx, -0.5), 0.5),
        np.where(vc != 0, vx, -vx),
        np.where(vc != 0, vx, 2.0),
        np.sqrt(vz.real**2 + vz.imag**2),
        vz.real,
        vz.imag,
        vz.real - 1j * vz.imag,
        vx + 1j * vx,
        np.exp(vz.real) * (np.cos(vz.imag) + 1j * np.sin(vz.imag)),
    ]
    assert [o.dtype for o in outs[3:]] == ["float64"] * 3 + ["complex128"] * 3
    compare_jax_and_numpy([x, lo, hi, c, z], outs, [vx, -0.5, 0.5, vc, vz], expected=expected)


def test_round_defaults_to_half_to_even_and_variable_methods_reach_the_table():
    x, y = gt.dvector("x"), gt.dvector("y")
    i, j = gt.ivector("i"), gt.ivector("j")
    outs = [
        gt.round(x),
        x.round("half_away_from_zero"),
        gt.iround(x),
        x.clip(-1, 1),
        abs(x),
        x // y,
        x % y,
        i // j,
        i % j,
        i & j,
        i | j,
        i ^ j,
        ~i,
        x.copy(),
        x.conj(),
        gt.add(x, y, x),
        gt.mul(x, y, y),
    ]
    vx, vy = np.array([0.5, 1.5, -2.5, 2.4, -0.6]), np.array([2.0, -1.5, 3.0, 1.0, 0.7])
    vi, vj = np.array([7, -7, 5, 0, 3], dtype="int32"), np.array([2, 2, -3, 1, 4], dtype="int32")
    expected = [
        [0.0, 2.0, -2.0, 2.0, -1.0],
        [1.0, 2.0, -3.0, 2.0, -1.0],
        [0, 2, -2, 2, -1],
        np.clip(vx, -1, 1),
        np.abs(vx),
        np.floor(vx / vy),
        vx - vy * np.floor(vx / vy),
        [3, -4, -2, 0, 0],
        [1, 1, -1, 0, 3],
        vi & vj,
        vi | vj,
        vi ^ vj,
        -vi - 1,
        vx,
        vx,
        2 * vx + vy,
        vx * vy * vy,
    ]
    got = compare_jax_and_numpy([x, y, i, j], outs, [vx, vy, vi, vj], expected=expected)
    assert got[2].dtype == np.int64 and got[7].dtype == np.int32


# ---------------------------------------------------------------------------
# broadcasting


def test_row_plus_col_and_scalar_plus_matrix_broadcast():
    r, c, s, m = gt.drow("r"), gt.dcol("c"), gt.dscalar("s"), gt.dmatrix("m")
    assert (r + c).type.shape == (None, None) and (s + m).type.shape == (None, None)
    assert (gt.tensor("float64", shape=(1, 3)) + gt.dcol()).type.shape == (None, 3)
    vr, vc, vm = np.arange(3.0)[None], np.arange(2.0)[:, None], np.ones((2, 3))
    compare_jax_and_numpy(
        [r, c, s, m], [r + c, s + m, s * r], [vr, vc, 2.0, vm], expected=[vr + vc, vm + 2, 2 * vr]
    )


def test_static_shape_mismatch_raises_at_graph_build_naming_both_shapes():
    a = gt.tensor("float64", shape=(2, 3), name="a")
    b = gt.tensor("float64", shape=(2, 4), name="b")
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4\)"):
        a + b


@pytest.mark.parametrize("mode", ["FAST_RUN", "NUMPY"])
def test_runtime_length_one_on_non_broadcastable_axis_raises(mode):
    x, y = gt.dvector("x"), gt.dvector("y")
    f = g.function([x, y], x * y, mode=mode)
    np.testing.assert_allclose(f(np.ones(3), np.full(3, 2.0)), 2.0)
    with pytest.raises(ValueError, match="broadcastable"):
        f(np.ones(1), np.ones(3))
    with pytest.raises(ValueError, match="'x'.*'y'.* do not match along axis 0"):
        f(np.ones(2), np.ones(3))


def test_infer_shape_gives_the_broadcast_shape():
    x, r, s = gt.dmatrix("x"), gt.drow("r"), gt.dscalar("s")
    node = gt.switch(gt.gt(r, 0), x, s).owner
    input_shapes = [tuple(i.shape[k] for k in range(i.ndim)) for i in node.inputs]
    (shape,) = node.op.infer_shape(None, node, input_shapes)
    f = g.function([x, r, s], list(shape), on_unused_input="ignore")
    assert [int(v) for v in f(np.ones((2, 5)), np.ones((1, 5)), 1.0)] == [2, 5]


# ---------------------------------------------------------------------------
# properties

_ADD = {}


def _compiled_add():
    if not _ADD:
        x, y = gt.dvector("x"), gt.dvector("y")
        _ADD["f"] = g.function([x, y], [x + y, y + x, gt.exp(gt.log(gt.abs(x) + 1))])
    return _ADD["f"]


@settings(max_examples=10)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5), st.floats(-1e6, 1e6))
def test_add_commutes_and_exp_inverts_log(xs, y):
    vx = np.array(xs)
    xy, yx, back = _compiled_add()(vx, np.full_like(vx, y))
    np.testing.assert_array_equal(xy, yx)
    np.testing.assert_allclose(back, np.abs(vx) + 1, rtol=1e-12)


# ---------------------------------------------------------------------------
# gradients

GRAD_UNARY = [(name, domain) for name, _, domain, _, _, diff in UNARY if diff]
GRAD_BINARY = [(name, domain) for name, _, domain, _, _, diff in BINARY if diff]


@pytest.mark.parametrize("name, domain", GRAD_UNARY, ids=[n for n, _ in GRAD_UNARY])
def test_unary_gradient_matches_finite_differences(name, domain):
    rng = np.random.default_rng(4)
    verify_grad(getattr(gt, name), [_sample(domain, "float64", (2,), rng)], rng=rng)


@pytest.mark.parametrize("name, domains", GRAD_BINARY, ids=[n for n, _ in GRAD_BINARY])
def test_binary_gradient_matches_finite_differences(name, domains):
    rng = np.random.default_rng(5)
    a, b = (_sample(d, "float64", (2,), rng) for d in domains)
    if name in ("maximum", "minimum", "mod"):  # stay away from the kinks
        a, b = np.array([0.4, 2.7]), np.array([1.3, 1.1])
    verify_grad(getattr(gt, name), [a, b], rng=rng)


def test_switch_gradient_goes_to_the_chosen_branch():
    rng = np.random.default_rng(6)
    cond = gt.constant(np.array([True, False, True]))
    verify_grad(
        lambda a, b: gt.switch(cond, a, b), [rng.normal(size=3), rng.normal(size=3)], rng=rng
    )


def test_clip_gradient_flows_to_x_inside_and_to_the_bound_outside():
    x, lo, hi = gt.dvector("x"), gt.dscalar("lo"), gt.dscalar("hi")
    gx, glo, ghi = g.grad(gt.sum(gt.clip(x, lo, hi) * gt.constant([1.0, 2.0, 3.0])), [x, lo, hi])
    f = g.function([x, lo, hi], [gx, glo, ghi])
    got = f(np.array([-2.0, 0.5, 4.0]), 0.0, 1.0)
    np.testing.assert_allclose(got[0], [0.0, 2.0, 0.0])
    assert float(got[1]) == 1.0 and float(got[2]) == 3.0


JAX_GRAD_CASES = [
    ("softplus", lambda x: jnp.sum(jax.nn.softplus(x) * jnp.arange(1.0, 4.0))),
    ("arctan2", lambda x: jnp.sum(jnp.arctan2(x, 0.5 * x + 2.0))),
    ("gammaln", lambda x: jnp.sum(jax.scipy.special.gammaln(x + 3.0))),
    ("erfinv", lambda x: jnp.sum(jax.scipy.special.erfinv(x / 4.0))),
]


def _graph_cost(name, x):
    if name == "softplus":
        return gt.sum(gt.softplus(x) * gt.constant([1.0, 2.0, 3.0]))
    if name == "arctan2":
        return gt.sum(gt.arctan2(x, 0.5 * x + 2.0))
    if name == "gammaln":
        return gt.sum(gt.gammaln(x + 3.0))
    return gt.sum(gt.erfinv(x / 4.0))


@pytest.mark.parametrize("name, jax_cost", JAX_GRAD_CASES, ids=[n for n, _ in JAX_GRAD_CASES])
def test_compiled_gradient_equals_jax_grad(name, jax_cost):
    x = gt.dvector("x")
    f = g.function([x], g.grad(_graph_cost(name, x), x))
    value = np.array([-1.5, 0.3, 2.0])
    np.testing.assert_allclose(f(value), np.asarray(jax.grad(jax_cost)(value)), rtol=1e-10)


def test_missing_gradient_is_null_and_single_term_add_is_the_term():
    x = gt.dvector("x")
    with pytest.raises(NullTypeGradError, match="tri_gamma"):
        g.grad(gt.sum(gt.tri_gamma(x)), x)
    assert gt.add(x) is x and gt.mul(x, x, x, name="cube").name == "cube"


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("add", ["a", "other_terms", "name"]),
        ("sub", ["a", "b", "name"]),
        ("maximum", ["x", "y", "name"]),
        ("minimum", ["x", "y", "name"]),
        ("clip", ["x", "min", "max", "name"]),
        ("switch", ["cond", "ift", "iff", "name"]),
        ("complex", ["real", "imag", "name"]),
        ("conj", ["x", "name"]),  # PyTensor 3.0.7: conj(x)
        ("sigmoid", ["x", "name"]),
    ],
)
def test_parameter_names_are_pytensors(name, params):
    import inspect

    assert list(inspect.signature(getattr(gt, name)).parameters) == params


def test_gradients_through_complex_intermediates_match_jax():
    """Real functions of real inputs, computed through complex numbers: the chain rule of
    holomorphic functions (mul, div, exp ...) conjugates, that of abs/real/imag does not."""
    x, y = gt.dvector("x"), gt.dvector("y")
    z = gt.complex(x, y)
    costs = [
        (gt.abs(x * np.complex128(1 + 2j) - y), lambda a, b: jnp.abs(a * (1 + 2j) - b)),
        (gt.abs(gt.exp(z)), lambda a, b: jnp.abs(jnp.exp(a + 1j * b))),
        (gt.imag(z / (1 + 1j * z)), lambda a, b: jnp.imag((a + 1j * b) / (1 + 1j * (a + 1j * b)))),
        (
            gt.real(gt.conj(z) * z * z),
            lambda a, b: jnp.real(jnp.conj(a + 1j * b) * (a + 1j * b) ** 2),
        ),
    ]
    grads = [gr for cost, _ in costs for gr in g.grad(gt.sum(cost), [x, y])]
    vx, vy = np.array([0.5, -1.0]), np.array([0.7, -1.2])
    got = g.function([x, y], grads)(vx, vy)
    for k, (_, ref) in enumerate(costs):
        want = jax.grad(lambda a, b, f=ref: jnp.sum(f(a, b)), argnums=(0, 1))(vx, vy)
        np.testing.assert_allclose(got[2 * k], want[0], atol=1e-12)
        np.testing.assert_allclose(got[2 * k + 1], want[1], atol=1e-12)


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("square", "sqr"),
        ("power", "pow"),
        ("equal", "eq"),
        ("not_equal", "neq"),
        ("less", "lt"),
        ("less_equal", "le"),
        ("greater", "gt"),
        ("greater_equal", "ge"),
    ],
)
def test_numpy_named_aliases_as_pytensor(alias, name):
    assert getattr(gt, alias) is getattr(gt, name)


def test_numpy_values_on_the_left_of_statically_shaped_tensors():
    """numpy scalars/arrays defer to the tensor's reflected operators (no object arrays)."""
    x = gt.tensor(dtype="float32", shape=(2, 3))
    outs = [np.int8(3) / x, np.float32(2.5) * x, np.ones((2, 3)) - x, np.arange(3) < x]
    assert all(isinstance(o, gt.TensorVariable) for o in outs)
    assert [o.dtype for o in outs] == ["float32", "float32", "float64", "bool"]


def test_pow_gradient_wrt_the_exponent_is_zero_at_a_zero_base():
    """As PyTensor: d(x**y)/dy is 0 where x == 0, not nan (y > 0) or -inf (y < 0);
    jax.grad agrees for y > 0 (it gives nan for y < 0)."""
    x, y = gt.dvector("x"), gt.dvector("y")
    gy = g.function([x, y], g.grad(gt.sum(x**y), y))
    xv, yv = np.array([0.0, 2.0, 0.0]), np.array([2.0, 3.0, -1.5])
    want = jax.grad(lambda b: jnp.sum(jnp.asarray(xv[:2]) ** b))(jnp.asarray(yv[:2]))
    got = gy(xv, yv)
    np.testing.assert_allclose(got[:2], want)
    np.testing.assert_allclose(got, [0.0, 8 * np.log(2.0), 0.0])
