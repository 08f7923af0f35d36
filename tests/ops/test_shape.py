"""Shape ops: ``shape_i``, ``flatten``, ``squeeze``, ``expand_dims``, the ``shape_pad*``
helpers, ``broadcast_to`` and symbolic ``reshape`` targets, against numpy; static
types and errors; gradients.

Compilations are few: one function per dtype computes every case at once.
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
from graph2jax.compile.mode import Mode
from tests.helpers import Case, check_infer_shape, check_op, random_value

RNG = np.random.default_rng(0)
AxisError = np.exceptions.AxisError


_value = partial(random_value, RNG)


# name -> (graph builder, numpy formula) on a (2, 1, 3, 4) input whose axis 1 is static 1
CASES = {
    "flatten": (lambda x: gt.flatten(x), lambda v: v.reshape(-1)),
    "flatten_2": (lambda x: gt.flatten(x, 2), lambda v: v.reshape(2, -1)),
    "flatten_3_method": (lambda x: x.flatten(3), lambda v: v.reshape(2, 1, -1)),
    "flatten_4": (lambda x: gt.flatten(x, 4), lambda v: v),
    "squeeze": (lambda x: gt.squeeze(x), lambda v: v.squeeze(1)),
    "squeeze_1": (lambda x: gt.squeeze(x, 1), lambda v: v.squeeze(1)),
    "squeeze_-3_method": (lambda x: x.squeeze(-3), lambda v: v.squeeze(1)),
    "expand_dims_0": (lambda x: gt.expand_dims(x, 0), lambda v: v[None]),
    "expand_dims_pair": (
        lambda x: gt.expand_dims(x, (-1, 2)),
        lambda v: np.expand_dims(v, (-1, 2)),
    ),
    "shape_padleft_2": (lambda x: gt.shape_padleft(x, 2), lambda v: v[None, None]),
    "shape_padright": (lambda x: gt.shape_padright(x), lambda v: v[..., None]),
    "shape_padaxis_2": (lambda x: gt.shape_padaxis(x, 2), lambda v: np.expand_dims(v, 2)),
    "shape_padaxis_-1": (lambda x: gt.shape_padaxis(x, -1), lambda v: v[..., None]),
    "broadcast_to": (
        lambda x: gt.broadcast_to(x, (5, 2, 3, 3, 4)),
        lambda v: np.broadcast_to(v, (5, 2, 3, 3, 4)),
    ),
    "broadcast_to_own_shape": (lambda x: gt.broadcast_to(x, gt.shape(x)), lambda v: v),
    "reshape_symbolic": (
        lambda x: gt.reshape(x, (gt.shape_i(x, 0), -1)),
        lambda v: v.reshape(2, -1),
    ),
    "reshape_own_shape": (lambda x: gt.reshape(x, gt.shape(x)), lambda v: v),
    "shape_i_arithmetic": (lambda x: gt.shape_i(x, -1) + gt.shape_i(x, 0), lambda v: np.int64(6)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_shape_functions_match_numpy(dtype):
    x = gt.tensor(dtype, shape=(None, 1, None, None), name="x")
    check_op(CASES, [x], [_value(dtype, (2, 1, 3, 4))])


@pytest.mark.parametrize(
    ("build", "shape"),
    [
        (lambda x: gt.flatten(x), (24,)),
        (lambda x: gt.flatten(x, 2), (2, 12)),
        (lambda x: gt.squeeze(x), (2, 3, 4)),
        (lambda x: gt.expand_dims(x, (0, 5)), (1, 2, 1, 3, 4, 1)),
        (lambda x: gt.shape_padaxis(x, 1), (2, 1, 1, 3, 4)),
        (lambda x: gt.broadcast_to(x, (gt.shape_i(x, 0), 7, 3, 4)), (2, 7, 3, 4)),
    ],
)
def test_static_shapes_are_kept(build, shape):
    assert build(gt.tensor("float64", shape=(2, 1, 3, 4))).type.shape == shape


def test_flatten_and_squeeze_of_unknown_lengths():
    x = gt.tensor("float64", shape=(None, 3, None))
    assert gt.flatten(x, 2).type.shape == (None, None)
    assert gt.squeeze(x).type.shape == (None, 3, None)
    assert gt.flatten(gt.dscalar()).type.shape == (1,)
    assert gt.reshape(x, (x.shape[0], 3, -1)).type.shape == (None, 3, None)
    assert gt.reshape(x, (gt.shape_i(x, 1), 2, -1)).type.shape == (3, 2, None)


def test_squeeze_of_unknown_axis_is_checked_at_run_time():
    x = gt.dmatrix("x")
    y = gt.squeeze(x, 0)
    assert y.type.shape == (None,)
    f = g.function([x], y)
    np.testing.assert_array_equal(f(np.ones((1, 3))), np.ones(3))
    with pytest.raises(ValueError, match="specify_shape: 'x'.*should have shape"):
        f(np.ones((2, 3)))


def test_specify_shape_of_a_vector_takes_an_int():
    assert gt.specify_shape(gt.dvector(), 3).type.shape == (3,)


def test_specify_shape_takes_symbolic_lengths():
    x, y, n = gt.dmatrix("x"), gt.dvector("y"), gt.lscalar("n")
    z = gt.specify_shape(x, (n, y.shape[0]))
    assert z.type.shape == (None, None) and isinstance(z.owner.op, gt.SpecifyShape)
    assert gt.specify_shape(x, (n, 2)).type.shape == (None, 2)
    f = g.function([x, y, n], [z.sum(), z.shape])
    total, shape = f(np.ones((3, 2)), np.zeros(2), 3)
    assert total == 6.0 and shape.tolist() == [3, 2]
    for bad in [(np.ones((3, 2)), np.zeros(2), 4), (np.ones((3, 2)), np.zeros(5), 3)]:
        with pytest.raises(ValueError, match="specify_shape: 'x'.*should have shape"):
            f(*bad)
    assert f(np.ones((1, 4)), np.zeros(4), 1)[0] == 4.0  # one compilation serves every n
    assert f.compile_count == 2
    numpy_f = g.function([x, n], gt.specify_shape(x, (n, 2)), mode="NUMPY")
    with pytest.raises(ValueError, match=r"should have shape \(4, 2\), got \(3, 2\)"):
        numpy_f(np.ones((3, 2)), 4)
    vector = g.function([x], gt.specify_shape(x, x.shape * 0 + 2).sum())  # one vector
    assert vector(np.ones((2, 2))) == 4.0
    with pytest.raises(ValueError, match="should have shape"):
        vector(np.ones((2, 3)))
    off = g.function(
        [x, n], gt.specify_shape(x, (n, None)) + 1, mode=Mode(check_index_bounds=False)
    )
    np.testing.assert_array_equal(off(np.zeros((1, 1)), 5), [[1.0]])  # not checked, as JAX


def test_specify_shape_refuses_what_is_not_a_length():
    x = gt.dmatrix("x")
    with pytest.raises(TypeError, match="integer scalars"):
        gt.specify_shape(x, (gt.dscalar("n"), None))
    with pytest.raises(ValueError, match="static length"):
        gt.specify_shape(x, gt.lvector("s"))


def test_get_vector_length_and_the_shape_module_path():
    from graph2jax.tensor.shape import Shape_i, get_vector_length, reshape, specify_shape

    assert get_vector_length(gt.dtensor3().shape) == 3 and get_vector_length([4, 5]) == 2
    assert gt.get_vector_length is get_vector_length and specify_shape is gt.specify_shape
    assert reshape is gt.reshape and Shape_i is gt.Shape_i
    assert callable(gt.shape) and gt.shape(gt.dmatrix()).type.shape == (2,)
    with pytest.raises(ValueError, match="known only at run time"):
        get_vector_length(gt.lvector())
    with pytest.raises(TypeError, match="not a vector"):
        get_vector_length(gt.dmatrix())


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda x: gt.squeeze(x, 0), ValueError, "only length-1 axes"),
        (lambda x: gt.squeeze(x, 3), AxisError, None),
        (lambda x: gt.expand_dims(x, 4), AxisError, None),
        (lambda x: gt.expand_dims(x, (0, 0)), ValueError, "repeated"),
        (lambda x: gt.shape_padaxis(x, 4), IndexError, "out of bounds"),
        (lambda x: gt.shape_padaxis(x, -5), IndexError, "out of bounds"),
        (lambda x: gt.flatten(x, 0), ValueError, "out of bound"),
        (lambda x: gt.flatten(x, 4), ValueError, "out of bound"),
        (lambda x: gt.shape_i(x, 3), IndexError, "out of range"),
        (lambda x: gt.broadcast_to(x, (5, 4, 1, 3)), ValueError, "cannot be broadcast"),
        (lambda x: gt.broadcast_to(x, (2,)), TypeError, "more than"),
        (lambda x: gt.broadcast_to(x, (2.5, 1, 3)), TypeError, "integer scalar"),
        (lambda x: gt.reshape(x, (5, -1)), ValueError, "cannot reshape"),
        (lambda x: gt.reshape(x, (1.5, 4)), TypeError, "must be integers"),
        (lambda x: gt.reshape(gt.dmatrix(), (-1, -1)), ValueError, "one -1"),
        (lambda x: gt.reshape(gt.dmatrix(), (3, -2)), ValueError, "no other negative"),
        (lambda x: gt.reshape(x, (x.shape[0] * 1.0, -1)), TypeError, "must be integers"),
        (lambda x: gt.reshape(x, gt.dvector("s"), ndim=2), TypeError, "'s'.*must be integers"),
        (lambda x: gt.transpose(x, (0, 1, 5)), AxisError, "transpose"),
        (lambda x: gt.transpose(x, (0, 2, -1)), ValueError, "not a permutation.*'x'"),
    ],
)
def test_static_errors(build, error, match):
    with pytest.raises(error, match=match):
        build(gt.tensor("float64", shape=(2, 1, 3), name="x"))


def test_broadcast_to_refuses_runtime_broadcasting_of_unknown_axes():
    x = gt.dvector("x")
    y = gt.broadcast_to(x, (2, 3))
    for mode in ("FAST_RUN", "NUMPY"):
        f = g.function([x], y, mode=mode)
        assert f(np.ones(3)).shape == (2, 3)
        with pytest.raises(ValueError, match="only axes of static length 1"):
            f(np.ones(1))


def test_broadcast_to_with_function_input_shape_compiles_per_value():
    x, n = gt.drow("x"), gt.lscalar("n")
    f = g.function([x, n], gt.broadcast_to(x, (n, 2)))
    np.testing.assert_array_equal(f([[1.0, 2.0]], 3), np.tile([1.0, 2.0], (3, 1)))
    assert f([[1.0, 2.0]], 5).shape == (5, 2)
    assert f([[3.0, 2.0]], 3).shape == (3, 2)


def test_reshape_with_shape_from_another_input():
    x, y = gt.dvector("x"), gt.dmatrix("y")
    f = g.function([x, y], gt.reshape(x, gt.shape(y)))
    np.testing.assert_array_equal(f(np.arange(6.0), np.ones((2, 3))), np.arange(6.0).reshape(2, 3))
    assert f(np.arange(6.0), np.ones((3, 2))).shape == (3, 2)


def test_reshape_with_subscripted_shape():
    pytest.importorskip("graph2jax.ops.subtensor")
    x = gt.dtensor3("x")
    v = _value("float64", (2, 3, 4))
    check_op({"reshape": (lambda x: gt.reshape(x, (x.shape[0], -1)), v.reshape(2, -1))}, [x], [v])


@settings(max_examples=10)
@given(
    shape=st.lists(st.integers(1, 3), min_size=1, max_size=4),
    data=st.data(),
)
def test_static_shapes_agree_with_numpy(shape, data):
    """Building the graph only (no compilation): static shapes equal numpy's result shapes."""
    v = np.zeros(shape)
    x = gt.tensor("float64", shape=shape)
    nd = data.draw(st.integers(1, len(shape)))
    assert gt.flatten(x, nd).type.shape == v.reshape(*shape[: nd - 1], -1).shape
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert gt.expand_dims(x, axis).type.shape == np.expand_dims(v, axis).shape
    assert gt.shape_padaxis(x, axis).type.shape == np.expand_dims(v, axis).shape
    assert gt.squeeze(x).type.shape == np.squeeze(v).shape
    target = (2, *(data.draw(st.sampled_from([n, 5])) if n == 1 else n for n in shape))
    assert gt.broadcast_to(x, target).type.shape == np.broadcast_to(v, target).shape


# ---------------------------------------------------------------------------
# gradients


_W12, _W24 = np.arange(12.0).reshape(2, 6), np.arange(24.0).reshape(4, 2, 3)
_W18 = np.arange(18.0).reshape(3, 2, 3)
# name -> (input shape, graph builder, numpy formula); weights make every output entry matter
GRAD_CASES = {
    "flatten": ((2, 3, 2), lambda x: gt.flatten(x, 2) * _W12, lambda v: v.reshape(2, 6) * _W12),
    "squeeze": ((1, 3), lambda x: gt.squeeze(x) * np.arange(3.0), lambda v: v[0] * np.arange(3.0)),
    "expand_dims": (
        (2, 3),
        lambda x: gt.expand_dims(x, (0, 2)) * np.arange(3.0),
        lambda v: v[None, :, None] * np.arange(3.0),
    ),
    "shape_padaxis": (
        (2, 3),
        lambda x: gt.shape_padaxis(x, 1) * np.arange(1.0, 4.0)[:, None],
        lambda v: v[:, None] * np.arange(1.0, 4.0)[:, None],
    ),
    "broadcast_to": ((2, 3), lambda x: gt.broadcast_to(x, (4, 2, 3)) * _W24, lambda v: v * _W24),
    "broadcast_to_length_1": (
        (1, 3),
        lambda x: gt.broadcast_to(x, (3, 2, 3)) * _W18,
        lambda v: np.broadcast_to(v, (3, 2, 3)) * _W18,
    ),
}


def test_verify_grad():
    inputs, values, cases = [], [], {}
    for k, (name, (shape, build, formula)) in enumerate(GRAD_CASES.items()):
        inputs.append(gt.tensor("float64", shape=tuple(1 if n == 1 else None for n in shape)))
        values.append(RNG.normal(size=shape))
        cases[name] = Case(build, formula, args=(k,))
    check_op(cases, inputs, values, grads=True)


def test_grad_matches_jax():
    x = gt.dmatrix("x")
    w = np.arange(12.0).reshape(2, 2, 3)
    cost = gt.sum(gt.broadcast_to(gt.expand_dims(gt.flatten(gt.shape_padleft(x)), 0), (2, 6)) ** 2)
    cost = cost + gt.sum(gt.reshape(x, (2, -1)) * w[0, :, :])
    f = g.function([x], g.grad(cost, x))
    v = RNG.normal(size=(2, 3))

    def ref(a):
        return jnp.sum(jnp.broadcast_to(a.reshape(1, -1), (2, 6)) ** 2) + jnp.sum(a * w[0])

    np.testing.assert_allclose(f(v), jax.jit(jax.grad(ref))(v), rtol=1e-12)


def test_reshape_infer_shape_resolves_a_minus_one():
    x, n = gt.dmatrix("x"), gt.lscalar("n")
    outs = [gt.reshape(x, (n, -1)), gt.reshape(x, (-1, n, 2)), gt.reshape(x, (n, 6))]
    check_infer_shape([x, n], outs, [np.zeros((3, 4)), 2])
