"""Indexing: reading (basic, advanced, boolean), set/inc_subtensor, take, shapes, errors, gradients."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from graph2jax.ops.subtensor import AdvancedIncSubtensor, AdvancedSubtensor, Subtensor
from tests.helpers import compare_jax_and_numpy

RNG = np.random.default_rng(42)
X = RNG.normal(size=(4, 5, 6))
MASK4 = np.array([True, False, True, True])
MASK45 = RNG.random((4, 5)) > 0.5
MASK6 = np.array([False, True, True, False, False, True])

# keys applied to a (4, 5, 6) tensor, compared with numpy on the same key
READ_KEYS = {
    "int": 1,
    "negative_int": -1,
    "two_ints": (1, -2),
    "slice": slice(1, 3),
    "reversed": slice(None, None, -1),
    "negative_step_bounds": (slice(-1, 0, -2), slice(None, 1, -1)),
    "step_negative_start": slice(-4, None, 2),
    "clamped_slice": slice(-100, 100),
    "empty_slice": slice(3, 1),
    "ellipsis_int": (Ellipsis, 1),
    "ellipsis_middle": (0, Ellipsis, slice(1, None, 3)),
    "newaxis_first": (None, 1),
    "newaxes_and_ellipsis": (1, None, Ellipsis, None),
    "newaxis_middle": (slice(None), None, 2),
    "int_list": [0, 2, 2],
    "negative_array": np.array([-1, 0, -4]),
    "int_matrix": np.array([[0, 1], [2, 3]]),
    "two_arrays_adjacent_first": ([0, 1], [1, 2]),
    "two_arrays_adjacent_middle": (slice(None), [0, 1], [1, 2]),
    "arrays_separated": ([0, 1], slice(None), [1, 2]),
    "int_and_array_separated": (0, slice(None), [1, 2]),
    "int_and_array_adjacent": (slice(None), 0, [1, 2]),
    "broadcast_arrays": (np.array([[0], [3]]), slice(1, 4), np.array([1, 2, 5])),
    "array_after_newaxis": (None, [0, 3]),
    "mask": MASK4,
    "mask_2d": MASK45,
    "mask_last_axis": (Ellipsis, MASK6),
    "mask_and_array": (MASK4, slice(None), [0, 1, 5]),
    "empty_key": (),
    "ellipsis_only": Ellipsis,
    "arrays_separated_by_newaxis": ([0, 1], None, [1, 2]),
    "arrays_separated_by_empty_ellipsis": (slice(None), [0, 1], Ellipsis, [1, 2]),
    "array_ellipsis_array": ([0, 1], Ellipsis, [1, 2]),
}


@pytest.mark.parametrize("key", READ_KEYS.values(), ids=READ_KEYS.keys())
def test_read_matches_numpy(key):
    x = gt.dtensor3("x")
    out = x[key]
    assert out.ndim == X[key].ndim
    compare_jax_and_numpy([x], out, [X], expected=X[key])


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "uint8", "bool", "complex64"])
def test_read_dtypes(dtype):
    value = (RNG.normal(size=(4, 5)) * 10).astype(dtype)
    x = gt.matrix("x", dtype=dtype)
    outs = [x[1:, ::2], x[[0, 3, 3]], x[-1], x[value[:, 0] != 0]]
    assert {o.dtype for o in outs} == {dtype}
    compare_jax_and_numpy(
        [x],
        outs,
        [value],
        expected=[value[1:, ::2], value[[0, 3, 3]], value[-1], value[value[:, 0] != 0]],
    )


@st.composite
def basic_keys(draw):
    """A random basic key (ints, slices, None, one Ellipsis) for a (4, 5, 6) array."""
    items = []
    for length in X.shape[: draw(st.integers(0, 3))]:
        items.append(
            draw(
                st.one_of(
                    st.integers(-length, length - 1),
                    st.builds(
                        slice,
                        st.none() | st.integers(-6, 6),
                        st.none() | st.integers(-6, 6),
                        st.none() | st.sampled_from([-2, -1, 1, 3]),
                    ),
                )
            )
        )
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), draw(st.sampled_from([None, Ellipsis])))
    if items.count(Ellipsis) > 1:
        items.remove(Ellipsis)
    return tuple(items)


@settings(max_examples=10)
@given(key=basic_keys())
def test_random_basic_keys_match_numpy(key):
    x = gt.tensor("float64", shape=X.shape, name="x")
    out = x[key]
    assert out.type.shape == X[key].shape  # every length is static here
    compare_jax_and_numpy([x], out, [X], expected=X[key])


def test_vector_int_gives_scalar_and_constant_shape_entries_fold():
    v = gt.dvector("v")
    assert v[2].type.shape == ()
    compare_jax_and_numpy([v], v[-2], [np.arange(4.0)], expected=2.0)
    c = gt.constant(np.arange(5))
    assert isinstance(c[-2], gt.TensorConstant) and c[-2].data == 3
    out = gt.set_subtensor(c[1:3], 0)  # other keys of a constant stay nodes
    np.testing.assert_array_equal(out.eval(), [0, 0, 0, 3, 4])


def test_symbolic_scalar_index_is_dynamic_and_compiles_once():
    x, i, j = gt.dmatrix("x"), gt.iscalar("i"), gt.lscalar("j")
    out = [x[i], x[i, 1:3], x[:, j], x[[i, j]]]
    f = g.function([x, i, j], out)
    fn = g.function([x, i, j], out, mode="NUMPY")
    value = RNG.normal(size=(4, 4))
    for a, b in [(0, 1), (2, -1), (-3, 3)]:
        expected = [value[a], value[a, 1:3], value[:, b], value[[a, b]]]
        for got, ref, want in zip(f(value, a, b), fn(value, a, b), expected, strict=True):
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(ref, want)
    assert f.maker.linked(None).trace_count == 1
    assert f.maker.linked(None).static_argnums == ()


def test_symbolic_slice_bounds_are_static_inputs():
    x, a, b = gt.dvector("x"), gt.iscalar("a"), gt.iscalar("b")
    out = [x[a:b], x[a:], x[::b], x[a : x.shape[0] - 1]]
    assert out[0].type.shape == (None,)
    f = g.function([x, a, b], out)
    value = np.arange(8.0)
    for lo, hi in [(1, 5), (-3, 2), (1, 5), (0, 3)]:
        expected = [value[lo:hi], value[lo:], value[::hi], value[lo:-1]]
        for got, want in zip(f(value, lo, hi), expected, strict=True):
            np.testing.assert_array_equal(got, want)
    linked = f.maker.linked(None)
    assert linked.static_argnums == (1, 2)
    assert linked.trace_count == 3  # one compilation per distinct (a, b)


def test_mask_input_and_computed_mask_match_numpy_with_jax():
    x, m = gt.dvector("x"), gt.tensor("bool", shape=(None,), name="m")
    value = np.arange(5.0)
    compare_jax_and_numpy([x, m], x[m], [value, value > 1.5], expected=value[value > 1.5])
    computed = x[x > 2.0]
    np.testing.assert_array_equal(g.function([x], computed, mode="NUMPY")(value), [3.0, 4.0])
    np.testing.assert_array_equal(g.function([x], computed)(value), [3.0, 4.0])
    f = g.function([x, m], x[m])
    for mask in ([True] * 5, [False] * 5, [True] * 5):
        np.testing.assert_array_equal(f(value, mask), value[mask])
    assert f.maker.linked(None).trace_count == 1  # bounded by its size: once per shape


def test_mask_from_shapes_is_folded():
    x = gt.dvector("x")
    mask = gt.arange(x.shape[0]) % 2 > 0
    compare_jax_and_numpy([x], x[mask], [np.arange(5.0)], expected=[1.0, 3.0])


def test_static_shape_inference():
    x = gt.tensor("float64", shape=(5, None, 3), name="x")
    i, a = gt.iscalar("i"), gt.iscalar("a")
    cases = [
        ((slice(2, 4),), (2, None, 3)),
        ((slice(None, None, 2),), (3, None, 3)),
        ((slice(-2, None),), (2, None, 3)),
        ((-1,), (None, 3)),
        ((None,), (1, 5, None, 3)),
        (([0, 1, 1],), (3, None, 3)),
        ((slice(None), slice(None), [0, 2]), (5, None, 2)),
        ((np.array([True, False, True, False, False]),), (2, None, 3)),
        ((i,), (None, 3)),
        ((slice(a, None),), (None, None, 3)),
        ((Ellipsis, 0), (5, None)),
        ((slice(1, 3), 0, [[0], [2]]), (2, 2, 1)),
        (([0, 1], 0, slice(None)), (2, 3)),
    ]
    for key, shape in cases:
        assert x[key].type.shape == shape, key
    assert isinstance(x[1:].owner.op, Subtensor)
    assert isinstance(x[[1]].owner.op, AdvancedSubtensor)


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: gt.dscalar("s")[0], IndexError),
        (lambda: gt.dmatrix("m")[0, 0, 0], IndexError),
        (lambda: gt.dmatrix("m")[..., 0, ...], IndexError),
        (lambda: gt.dmatrix("m")[gt.bmatrix("b") > 0, 1], IndexError),
        (lambda: gt.dvector("v")[1.5], TypeError),
        (lambda: gt.dvector("v")[gt.dscalar("f")], TypeError),
        (lambda: gt.dvector("v")[1.0:3], TypeError),
        (lambda: gt.dvector("v")[[0.0, 1.0]], TypeError),
        (lambda: gt.dvector("v")[True], TypeError),
        (lambda: gt.dvector("v")[gt.ivector("i") : 3], TypeError),
        (lambda: gt.dvector("v")[::0], ValueError),
        (lambda: gt.tensor("float64", shape=(5,))[5], IndexError),
        (lambda: gt.tensor("float64", shape=(5,))[-6], IndexError),
        (lambda: gt.tensor("float64", shape=(5, 2))[:, [0, 2]], IndexError),
        (lambda: gt.tensor("float64", shape=(5,))[np.array([True, False])], IndexError),
        (lambda: gt.dmatrix("m")[[0, 1], [0, 1, 2]], IndexError),
        (lambda: gt.set_subtensor(gt.dvector("v"), 1.0), TypeError),
        (lambda: gt.set_subtensor(gt.dvector("v")[1:], gt.dmatrix("y")), ValueError),
        (lambda: gt.set_subtensor(gt.tensor("float64", shape=(5,))[1:3], np.ones(3)), ValueError),
        (lambda: gt.take(gt.dvector("v"), [0], axis=1), np.exceptions.AxisError),
        (lambda: gt.take(gt.dvector("v"), [0], mode="fill"), ValueError),
    ],
)
def test_bad_index_raises_when_building(make, error):
    with pytest.raises(error):
        make()


def test_error_names_the_variable():
    with pytest.raises(IndexError, match=r"'vec'.*size 5"):
        gt.tensor("float64", shape=(5,), name="vec")[7]
    with pytest.raises(IndexError, match=r"too many indices for 's'"):
        gt.dscalar("s")[0]


def test_known_out_of_range_raises_when_tracing():
    x = gt.dvector("x")
    for mode in (None, "NUMPY"):
        f = g.function([x], [x[7], x[[0, -9]]], mode=mode)
        with pytest.raises(IndexError, match="out of bounds"):
            f(np.arange(5.0))
    n = gt.iscalar("n")
    f = g.function([x, n], x[: x.shape[0] - n][4])  # folded at trace time, then checked
    assert f(np.arange(6.0), 1) == 4.0
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.arange(6.0), 2)


# ---------------------------------------------------------------------------
# set_subtensor / inc_subtensor

# key, shape of y (broadcast to x[key]), whether the key repeats a position (inc accumulates)
WRITE_CASES = {
    "slice": (slice(1, 3), (2, 5, 6), False),
    "int": (-1, (5, 6), False),
    "ints_scalar_y": ((0, 1, 2), (), False),
    "broadcast_row": ((slice(None), 0), (1, 6), False),
    "repeated": ([0, 0, 2, 0], (4, 5, 6), True),
    "repeated_broadcast": ([1, 1], (6,), True),
    "repeated_pairs": (([0, 0, 3], [1, 1, 4]), (3, 6), True),
    "separated": (([0, 0], slice(1, 3), [5, 5]), (2, 2), True),
    "mask": (MASK45, (1, 6), False),
    "mask_and_array": ((MASK4, slice(None), [0, 1, 5]), (3, 5), False),
    "newaxis": ((None, 1, slice(None, 2)), (1, 2, 6), False),
    "ellipsis_arrays": ((slice(None), [0, 0], Ellipsis, [1, 1]), (2, 4), True),
    "ellipsis_int": ((Ellipsis, 2), (4, 5), False),
}


@pytest.mark.parametrize("key, y_shape, repeated", WRITE_CASES.values(), ids=WRITE_CASES.keys())
def test_set_and_inc_match_numpy(key, y_shape, repeated):
    x, y = gt.dtensor3("x"), gt.tensor("float64", shape=y_shape, name="y")
    y_value = RNG.normal(size=y_shape)
    inc_expected = X.copy()
    np.add.at(inc_expected, key, y_value)
    set_expected = X.copy()
    set_expected[key] = y_value  # numpy: the last of repeated positions wins
    set_out, inc_out = gt.set_subtensor(x[key], y), gt.inc_subtensor(x[key], y)
    assert inc_out.type == x.type
    items = key if isinstance(key, tuple) else (key,)
    advanced = any(isinstance(k, list | np.ndarray) for k in items)
    assert isinstance(inc_out.owner.op, AdvancedIncSubtensor) == advanced
    assert set_out.owner.op.set_instead_of_inc and not inc_out.owner.op.set_instead_of_inc
    # with repeated positions XLA writes one of the values (documented); on CPU the last, as numpy
    compare_jax_and_numpy(
        [x, y], [set_out, inc_out], [X, y_value], expected=[set_expected, inc_expected]
    )


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "bool"])
def test_write_dtypes(dtype):
    x = gt.vector("x", dtype=dtype)
    value = np.arange(5).astype(dtype)
    y = np.ones((), dtype)
    outs = [gt.set_subtensor(x[1:3], y), gt.inc_subtensor(x[[0, 0]], gt.constant(y))]
    assert [o.dtype for o in outs] == [dtype, dtype]
    set_ref, inc_ref = value.copy(), value.copy()
    set_ref[1:3] = y
    np.add.at(inc_ref, [0, 0], y)
    compare_jax_and_numpy([x], outs, [value], expected=[set_ref, inc_ref])


def test_write_casts_y_to_x_dtype():
    x, y = gt.dvector("x"), gt.fscalar("y")
    out = gt.inc_subtensor(x[:2], y)
    assert out.dtype == "float64"
    compare_jax_and_numpy([x, y], out, [np.zeros(3), np.float32(1.5)], expected=[1.5, 1.5, 0.0])
    i = gt.ivector("i")
    assert gt.set_subtensor(i[0], 2.0).dtype == "int32"  # a python value is converted


def test_write_with_symbolic_indices():
    x, i, idx, a = gt.dmatrix("x"), gt.iscalar("i"), gt.lvector("idx"), gt.iscalar("a")
    outs = [
        gt.set_subtensor(x[i], 1.0),
        gt.inc_subtensor(x[idx, i], 1.0),
        gt.set_subtensor(x[a:, ::2], -1.0),
    ]
    value = RNG.normal(size=(4, 5))
    refs = [value.copy() for _ in outs]
    refs[0][2] = 1.0
    np.add.at(refs[1], ([0, 3, 3], 2), 1.0)
    refs[2][1:, ::2] = -1.0
    compare_jax_and_numpy([x, i, idx, a], outs, [value, 2, [0, 3, 3], 1], expected=refs)


def test_write_through_computed_mask():
    """``x[x > 0] = y``: the output shape does not depend on the mask, so JAX computes it."""
    x, w, ys = gt.dmatrix("x"), gt.dscalar("w"), gt.dvector("ys")
    value = RNG.normal(size=(3, 4))
    mask = value > 0
    outs = [
        gt.set_subtensor(x[x > 0], 0.0),
        gt.inc_subtensor(x[x > 0], w),
        gt.set_subtensor(x[x > 0], ys),
        gt.inc_subtensor(x[x > 0], ys),
    ]
    ys_value = np.arange(mask.sum(), dtype=float)
    refs = [value.copy() for _ in outs]
    refs[0][mask] = 0.0
    refs[1][mask] += 2.0
    refs[2][mask] = ys_value
    refs[3][mask] += ys_value
    compare_jax_and_numpy([x, w, ys], outs, [value, 2.0, ys_value], expected=refs)
    r, row = gt.dvector("r"), gt.dvector("row")  # a mask over rows, y broadcast along them
    out = gt.inc_subtensor(x[r > 0], row)
    r_value, row_value = np.array([1.0, -1.0, 2.0]), np.arange(4.0)
    ref = value.copy()
    ref[r_value > 0] += row_value
    compare_jax_and_numpy([x, r, row], out, [value, r_value, row_value], expected=ref)


# ---------------------------------------------------------------------------
# take


def test_take_matches_numpy():
    a, idx = gt.dmatrix("a"), gt.lvector("idx")
    value = RNG.normal(size=(3, 4))
    outs = [
        gt.take(a, [5, 0, 11]),
        gt.take(a, idx, axis=1),
        gt.take(a, 2, axis=-1),
        gt.take(a, [[0, 2], [1, 1]], axis=0),
        gt.take(a, [-1, 4, 5], axis=1, mode="wrap"),
        gt.take(a, [-1, 4, 5], axis=1, mode="clip"),
    ]
    expected = [
        np.take(value, [5, 0, 11]),
        np.take(value, [3, 0], axis=1),
        np.take(value, 2, axis=-1),
        np.take(value, [[0, 2], [1, 1]], axis=0),
        np.take(value, [-1, 4, 5], axis=1, mode="wrap"),
        np.take(value, [-1, 4, 5], axis=1, mode="clip"),
    ]
    compare_jax_and_numpy([a, idx], outs, [value, [3, 0]], expected=expected)


# ---------------------------------------------------------------------------
# shapes feeding other ops


def test_shape_entries_feed_reshape_in_a_jitted_function():
    x = gt.dtensor3("x")
    out = gt.reshape(x, (x.shape[0], x.shape[-1] * x.shape[1]))
    f = g.function([x], out)
    np.testing.assert_array_equal(f(X), X.reshape(4, 30))
    assert f.maker.linked(None).static_argnums == ()
    static = gt.tensor("float64", shape=(None, 3), name="s")
    assert isinstance(static.shape[1], gt.TensorConstant)  # a static length is a constant
    assert gt.reshape(static, (static.shape[1], -1)).type.shape == (3, None)


# ---------------------------------------------------------------------------
# gradients

GRAD_CASES = {
    "slice": lambda x, y: x[1:3, ::2],
    "int": lambda x, y: x[-1],
    "repeated": lambda x, y: x[[0, 0, 2]],
    "mask": lambda x, y: x[np.array([True, False, True])],
    "mixed": lambda x, y: x[[2, 0], 1:],
    "newaxis": lambda x, y: x[None, 1],
    "set_slice": lambda x, y: gt.set_subtensor(x[1:, 2:], y),
    "inc_repeated": lambda x, y: gt.inc_subtensor(x[[1, 1], 2:], y),
    "set_mask": lambda x, y: gt.set_subtensor(x[x > 0], y[0, 0]),
    "inc_mask": lambda x, y: gt.inc_subtensor(x[x > 0], y[0, 0]),
    "inc_broadcast_scalar": lambda x, y: gt.inc_subtensor(x[[0, 2]], y.sum()),
}


@pytest.mark.parametrize("fun", GRAD_CASES.values(), ids=GRAD_CASES.keys())
def test_verify_grad(fun):
    x = RNG.normal(size=(3, 4))
    y = RNG.normal(size=(2, 2))
    verify_grad(fun, [x, y], rng=np.random.default_rng(0))


def test_grad_matches_jax_grad():
    x, y = gt.dmatrix("x"), gt.dvector("y")

    def graph_cost(x, y):
        read = x[[0, 0, 2], 1:] ** 2
        written = gt.inc_subtensor(x[1:, [3, 3]], y[:, None])
        return read.sum() + (gt.set_subtensor(written[0], 1.0) ** 2).sum()

    def jax_cost(x, y):
        read = x[jnp.array([0, 0, 2]), 1:] ** 2
        written = x.at[1:, jnp.array([3, 3])].add(y[:, None])
        return read.sum() + (written.at[0].set(1.0) ** 2).sum()

    f = g.function([x, y], g.grad(graph_cost(x, y), [x, y]))
    xv, yv = RNG.normal(size=(3, 4)), RNG.normal(size=2)
    for got, want in zip(f(xv, yv), jax.grad(jax_cost, argnums=(0, 1))(xv, yv), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_index_gradients_are_disconnected():
    x, i = gt.dvector("x"), gt.iscalar("i")
    gi = g.grad(x[i], i, disconnected_inputs="ignore")
    assert gi.eval({i: 0}) == 0
    v = gt.ivector("v")
    gx = g.grad(v[0].astype("float64") + x[0], x)
    # the gradient's graph uses the whole cost (PyTensor's fill(cost, 1) seed), v included
    np.testing.assert_array_equal(gx.eval({x: np.zeros(2), v: [3]}), [1.0, 0.0])


def test_writing_through_an_ellipsis_or_an_empty_key_writes_everything():
    x, s = gt.dmatrix("x"), gt.dscalar("s")
    v = np.arange(6.0).reshape(2, 3)
    outs = [
        gt.set_subtensor(x[...], s),
        gt.inc_subtensor(x[...], 1.0),
        gt.set_subtensor(s[()], 3.0),
    ]
    compare_jax_and_numpy([x, s], outs, [v, 5.0], expected=[np.full((2, 3), 5.0), v + 1, 3.0])


def test_inc_subtensor_pytensor_keywords():
    """PyTensor's ``set_instead_of_inc`` and ``ignore_duplicates`` (numpy's ``a[idx] += y``)."""
    a = gt.dvector("a")
    outs = [
        gt.inc_subtensor(a[[0, 0, 2]], 1.0, ignore_duplicates=True),
        gt.inc_subtensor(a[[0, 0, 2]], 1.0),
        gt.inc_subtensor(a[1:], 7.0, set_instead_of_inc=True),
    ]
    value = np.arange(3.0)
    expected = value.copy()
    expected[[0, 0, 2]] += 1.0
    compare_jax_and_numpy([a], outs, [value], expected=[expected, [2.0, 1.0, 3.0], [0.0, 7.0, 7.0]])


def test_writing_floats_into_an_integer_tensor_truncates_as_numpy_and_pytensor():
    v, y = gt.ivector("v"), gt.dvector("y")
    f = g.function([v, y], [gt.set_subtensor(v[1:], y), gt.inc_subtensor(v[1:], y)])
    got_set, got_inc = f(np.array([1, 2, 3], dtype="int32"), [1.7, -2.9])
    expected = np.array([1, 2, 3], dtype="int32")
    expected[1:] = [1.7, -2.9]
    np.testing.assert_array_equal(got_set, expected)
    np.testing.assert_array_equal(got_inc, [1, 3, 1])
    assert got_set.dtype == np.int32


def test_set_and_inc_methods_of_an_indexed_variable():
    """PyTensor's ``x[idx].set(y)`` / ``x[idx].inc(y)`` are set_subtensor / inc_subtensor."""
    x = gt.dvector("x")
    f = g.function([x], [x[1].set(5.0), x[1:].inc([1.0, 2.0]), x[[0, 0]].inc(1.0)])
    s, i, twice = f(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(s, [1.0, 5.0, 3.0])
    np.testing.assert_array_equal(i, [1.0, 3.0, 5.0])
    np.testing.assert_array_equal(twice, [3.0, 2.0, 3.0])  # repeated indices accumulate
    with pytest.raises(TypeError, match="indexed variable"):
        x.inc(1.0)
