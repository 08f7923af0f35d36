"""Joining and splitting: ``concatenate``/``join``, ``stack``, ``split`` against numpy;
dtype upcasting, static shapes and errors (at build and at run time); gradients.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.ops.join import Join, Split
from tests.helpers import Case, check_infer_shape, check_op, random_value

RNG = np.random.default_rng(1)
AxisError = np.exceptions.AxisError


_value = partial(random_value, RNG)


def _upcast(*dtypes: str) -> str:
    """PyTensor's ``scalar.upcast``: the dtype of a sum of zero-dimensional arrays of ``dtypes``
    (with the default ``floatX=float64``); its ``Join`` makes the output dtype this."""
    return str(sum((np.zeros((), d) for d in dtypes[1:]), np.zeros((), dtypes[0])).dtype)


def _pt_sum(v: np.ndarray) -> np.ndarray:
    """PyTensor's sum: bool and small integers widen to int64, the others keep their dtype."""
    return np.sum(v, dtype="int64" if v.dtype.kind in "bi" else v.dtype)


@pytest.mark.parametrize(
    ("dtype_a", "dtype_b"),
    [
        ("float32", "float32"),
        ("float64", "float32"),
        ("int32", "int64"),
        ("bool", "int32"),
        ("bool", "bool"),
    ],
)
def test_join_stack_split_match_numpy(dtype_a, dtype_b):
    a = gt.tensor(dtype_a, shape=(None, 3), name="a")
    b = gt.tensor(dtype_b, shape=(2, None), name="b")
    va, vb = _value(dtype_a, (2, 3)), _value(dtype_b, (2, 3))
    up, sums = _upcast(dtype_a, dtype_b), _upcast(_pt_sum(va).dtype.name, _pt_sum(vb).dtype.name)
    # name -> (build, numpy formula, the dtype PyTensor gives): Case's first three fields
    rows = {
        "concatenate": (
            lambda a, b: gt.concatenate([a, b]),
            lambda a, b: np.concatenate([a, b]),
            up,
        ),
        "concatenate_aba_-1": (
            lambda a, b: gt.concatenate([a, b, a], axis=-1),
            lambda a, b: np.concatenate([a, b, a], axis=-1),
            up,
        ),
        "join_1": (lambda a, b: gt.join(1, a, b), lambda a, b: np.concatenate([a, b], 1), up),
        "join_one_tensor": (lambda a, b: gt.join(0, a), lambda a, b: a, dtype_a),
        "stack": (lambda a, b: gt.stack([a, b]), lambda a, b: np.stack([a, b]), up),
        "stack_1": (lambda a, b: gt.stack([a, b], axis=1), lambda a, b: np.stack([a, b], 1), up),
        "stack_aba_-1": (
            lambda a, b: gt.stack([a, b, a], axis=-1),
            lambda a, b: np.stack([a, b, a], axis=-1),
            up,
        ),
        "stack_of_sums": Case(
            lambda a, b: gt.stack([gt.sum(a), gt.sum(b)]),
            lambda a, b: np.stack([_pt_sum(a), _pt_sum(b)]),
            sums,
            rtol=1e-6,  # a float32 sum, summed in another order, then upcast
        ),
        "split_first": (
            lambda a, b: gt.split(a, [1, 2], 2, axis=1)[0],
            lambda a, b: a[:, :1],
            dtype_a,
        ),
        "split_second": (
            lambda a, b: gt.split(a, [1, 2], 2, axis=1)[1],
            lambda a, b: a[:, 1:],
            dtype_a,
        ),
        "split_in_one": (lambda a, b: gt.split(b, [2], 1), lambda a, b: b, dtype_b),
    }
    check_op(rows, [a, b], [va, vb])
    s1, s2 = gt.split(a, [1, 2], 2, axis=1)
    assert gt.concatenate([a, b]).type.shape == (None, 3)
    assert gt.join(1, a, b).type.shape == (2, None)
    assert gt.stack([a, b], axis=1).type.shape == (2, 2, 3)
    assert s1.type.shape == (None, 1) and s2.type.shape == (None, 2)


def test_stack_of_scalars_is_a_vector_of_known_length():
    x, y = gt.dscalar("x"), gt.iscalar("y")
    v = gt.stack([x, y, 3])
    assert v.type == gt.TensorType("float64", (3,))
    check_op({"stack": (lambda x, y: v, np.array([1.5, 2.0, 3.0]))}, [x, y], [1.5, np.int32(2)])


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda a, b: gt.concatenate([a, b], axis=1), ValueError, r"differ along axis 0"),
        (lambda a, b: gt.concatenate([a, gt.dvector()]), TypeError, "same number of dimensions"),
        (lambda a, b: gt.concatenate([a, b], axis=2), AxisError, None),
        (lambda a, b: gt.concatenate(a, b), TypeError, "list or tuple"),
        (lambda a, b: gt.concatenate([]), ValueError, "empty"),
        (lambda a, b: gt.join(gt.lscalar(), a, b), TypeError, "constant integer"),
        (lambda a, b: gt.join(0, gt.dscalar(), gt.dscalar()), TypeError, "use stack"),
        (lambda a, b: gt.stack([]), ValueError, "no tensors"),
        (lambda a, b: gt.stack([a, b], axis=3), IndexError, "out of bounds"),
        (lambda a, b: gt.split(a, [1, 1], 2), ValueError, "sum to 2"),
        (lambda a, b: gt.split(a, [1, 1, 1], 2), ValueError, "3 sizes"),
        (lambda a, b: gt.split(a, [1.0, 2.0], 2), TypeError, "integers"),
        (lambda a, b: gt.split(b, [-1, 3], 2), ValueError, "must not be negative"),
        (lambda a, b: gt.split(a, [1, 2], 2, axis=2), AxisError, None),
        (lambda a, b: gt.split(a, gt.lvector()), ValueError, "pass n_splits"),
    ],
)
def test_static_errors(build, error, match):
    a = gt.tensor("float64", shape=(3, 4), name="a")
    b = gt.tensor("float64", shape=(2, None), name="b")
    with pytest.raises(error, match=match):
        build(a, b)


@pytest.mark.parametrize("mode", ["FAST_RUN", "NUMPY"])
def test_runtime_shape_errors(mode):
    a, b, sizes = gt.dmatrix("a"), gt.dmatrix("b"), gt.lvector("sizes")
    f = g.function([a, b], gt.concatenate([a, b]), mode=mode)
    with pytest.raises(ValueError, match="'a'.*'b'.* differ along axis 1"):
        f(np.ones((2, 3)), np.ones((2, 4)))
    f = g.function([a, sizes], gt.split(a, sizes, 2), mode=mode)
    with pytest.raises(ValueError, match="sum to 3, but axis 0 of 'a'"):
        f(np.ones((4, 2)), [1, 2])


def test_split_with_function_input_sizes_compiles_per_value():
    x, sizes = gt.dvector("x"), gt.lvector("sizes")
    f = g.function([x, sizes], gt.split(x, sizes, 2))
    v = np.arange(5.0)
    for cut in (1, 3, 1):
        first, second = f(v, [cut, 5 - cut])
        np.testing.assert_array_equal(first, v[:cut])
        np.testing.assert_array_equal(second, v[cut:])
    assert f.maker.linked(None).trace_count == 2


_ROUND_TRIP: dict = {}


@settings(max_examples=10)
@given(
    rows=st.integers(0, 3),
    cols=st.integers(1, 3),
    extra=st.integers(0, 3),
    axis=st.sampled_from([0, 1, -1]),
)
def test_split_undoes_concatenate(rows, cols, extra, axis):
    """One compiled function per axis; each new shape is a new trace, not a new graph."""
    if axis not in _ROUND_TRIP:
        a, b, sizes = gt.dmatrix("a"), gt.dmatrix("b"), gt.lvector("sizes")
        pieces = gt.split(gt.concatenate([a, b], axis=axis), sizes, 2, axis=axis)
        _ROUND_TRIP[axis] = g.function([a, b, sizes], pieces)
    grow = (extra, 0) if axis == 0 else (0, extra)
    rng = np.random.default_rng(0)  # not RNG: hypothesis draws a varying number of examples
    va = rng.normal(size=(rows, cols))
    vb = rng.normal(size=(rows + grow[0], cols + grow[1]))
    sizes = [va.shape[axis], vb.shape[axis]]
    got_a, got_b = _ROUND_TRIP[axis](va, vb, sizes)
    np.testing.assert_array_equal(got_a, va)
    np.testing.assert_array_equal(got_b, vb)


def test_infer_shape():
    a, b, sizes = gt.dmatrix("a"), gt.dmatrix("b"), gt.lvector("sizes")
    outs = [gt.concatenate([a, b], axis=1), gt.stack([a, a], axis=2), *gt.split(b, sizes, 2)]
    check_infer_shape([a, b, sizes], outs, [np.ones((2, 3)), np.ones((2, 1)), [1, 1]])


def test_ops_are_equal_by_props():
    assert Join(0) == Join(0) and Join(0) != Join(1)
    assert Split(2, 0) == Split(2, 0) and Split(2, 0) != Split(3, 0)
    with pytest.raises(ValueError, match="non-negative"):
        Join(-1)


# ---------------------------------------------------------------------------
# gradients


def _weights(*shape):
    return np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)


# name -> (input shapes, graph builder, numpy formula)
GRAD_CASES = {
    "concatenate_1": (
        [(2, 3), (2, 2)],
        lambda a, b: gt.concatenate([a, b], axis=1) * _weights(2, 5),
        lambda a, b: np.concatenate([a, b], axis=1) * _weights(2, 5),
    ),
    "join_aba": (
        [(2, 3), (1, 3)],
        lambda a, b: gt.join(0, a, b, a) * _weights(5, 3),
        lambda a, b: np.concatenate([a, b, a]) * _weights(5, 3),
    ),
    "stack_1": (
        [(2, 3), (2, 3)],
        lambda a, b: gt.stack([a, b], axis=1) * _weights(2, 2, 3),
        lambda a, b: np.stack([a, b], axis=1) * _weights(2, 2, 3),
    ),
    "split_second": (
        [(2, 3), (2, 2)],
        lambda a, b: gt.split(a, [1, 2], 2, axis=1)[1] * b,
        lambda a, b: a[:, 1:] * b,
    ),
    "split_of_concatenate": (
        [(2, 3), (2, 3)],
        lambda a, b: gt.split(gt.concatenate([a, b]), [3, 1], 2)[0] * 2.0,
        lambda a, b: np.concatenate([a, b])[:3] * 2.0,
    ),
}


def test_verify_grad():
    inputs, values, cases = [], [], {}
    for k, (name, (shapes, build, formula)) in enumerate(GRAD_CASES.items()):
        inputs += [gt.tensor("float64", shape=(None, None)) for _ in shapes]
        values += [RNG.normal(size=s) for s in shapes]
        cases[name] = Case(build, formula, args=(2 * k, 2 * k + 1))
    check_op(cases, inputs, values, grads=True)


def test_grad_matches_jax_and_keeps_input_dtypes():
    a, b = gt.fmatrix("a"), gt.dmatrix("b")
    pieces = gt.split(gt.concatenate([a, b], axis=1), [1, 4], 2, axis=1)
    cost = gt.sum(pieces[0] ** 2) + gt.sum(pieces[1] * 3.0) + gt.sum(gt.stack([a, a]) ** 3)
    ga, gb = g.grad(cost, [a, b])
    assert ga.dtype == "float32" and gb.dtype == "float64"
    f = g.function([a, b], [ga, gb])
    va, vb = RNG.normal(size=(2, 2)).astype("float32"), RNG.normal(size=(2, 3))

    def ref(x, y):
        joined = jnp.concatenate([x.astype("float64"), y], axis=1)
        return jnp.sum(joined[:, :1] ** 2) + jnp.sum(joined[:, 1:] * 3.0) + 2 * jnp.sum(x**3)

    want = jax.jit(jax.grad(ref, argnums=(0, 1)))(va, vb)
    for got, w in zip(f(va, vb), want, strict=True):
        # float32 sums in another order differ by a few ulps (up to ~1.5e-5 relative)
        np.testing.assert_allclose(got, w, rtol=1e-4 if got.dtype == np.float32 else 1e-7)


def test_grad_through_a_join_with_an_integer_input():
    a, y = gt.lmatrix("a"), gt.dmatrix("y")
    cost = gt.sum(gt.concatenate([a, y]) ** 2)
    vy = RNG.normal(size=(1, 2))
    got = g.function([a, y], g.grad(cost, y))(np.ones((2, 2), "int64"), vy)
    np.testing.assert_allclose(got, 2 * vy)
