"""Building helpers against numpy (``graph2jax/ops/ranges.py``, ``broadcast.py``, ``nonzero.py``
and those of ``creation.py``, ``math.py``, ``join.py``, ``sort.py``): ``empty*``, ``identity``,
broadcasting, stacking, ``mgrid``/``ogrid``, ``logspace``/``geomspace``, ``inverse_permutation`` and the
``nonzero`` family (static inputs); static types, errors, gradients.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from graph2jax.linker.dispatch import jax_funcify
from tests.helpers import compare_jax_and_numpy, random_value

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_empty_identity_and_stacks(dtype):
    a, b = gt.tensor(dtype, shape=(2, 3)), gt.tensor(dtype, shape=(None, None))
    av, bv = random_value(RNG, dtype, (2, 3)), random_value(RNG, dtype, (2, 3))
    outs = [
        gt.empty_like(a).shape,
        gt.empty((2, b.shape[1]), dtype=dtype).shape,
        gt.identity(b),
        gt.horizontal_stack(a, b, a),
        gt.vertical_stack(a, b),
    ]
    expected = [
        np.array([2, 3]),
        np.array([2, 3]),
        bv,
        np.hstack([av, bv, av]),
        np.vstack([av, bv]),
    ]
    compare_jax_and_numpy([a, b], outs, [av, bv], expected=expected)
    assert gt.empty_like(a, dtype="int8").type == gt.TensorType("int8", (2, 3))
    assert gt.empty((2, 3)).type == gt.TensorType(g.config.floatX, (2, 3))
    assert gt.horizontal_stack(a, a).type.shape == (2, 6)
    assert gt.vertical_stack(a, a).type.shape == (4, 3)
    assert gt.identity(a).type == a.type


def test_broadcast_shape_and_arrays():
    x, y = gt.tensor("float64", shape=(1, 3)), gt.tensor("int32", shape=(2, 1))
    assert [int(s.data) for s in gt.broadcast_shape(x, y)] == [2, 3]
    shape = gt.broadcast_shape((1, 3), (4, 2, 1), arrays_are_shapes=True)
    assert [int(s.data) for s in shape] == [4, 2, 3]
    bx, by = gt.broadcast_arrays(x, y)
    assert (bx.type, by.type) == (gt.TensorType("float64", (2, 3)), gt.TensorType("int32", (2, 3)))
    # unknown lengths: decided by the run-time shapes
    u, w = gt.dmatrix("u"), gt.dvector("w")
    uv, wv = RNG.normal(size=(1, 4)), RNG.normal(size=4)
    bu, bw = gt.broadcast_arrays(u, w)
    shape = gt.stack(gt.broadcast_shape(u, w))
    got = compare_jax_and_numpy([u, w], [bu, bw, shape], [uv, wv])
    for res, want in zip(got, [*np.broadcast_arrays(uv, wv), np.array([1, 4])], strict=True):
        np.testing.assert_array_equal(res, want)
    with pytest.raises(ValueError):
        gt.broadcast_shape(gt.dvector(shape=(2,)), gt.dvector(shape=(3,)))


def test_mgrid_ogrid():
    dense, sparse = gt.mgrid[0:5, 1:7:2], gt.ogrid[0:5, 1:7:2]
    assert [v.type.shape for v in dense] == [(5, 3), (5, 3)]
    assert [v.type.shape for v in sparse] == [(5, 1), (1, 3)]
    f = g.function([], [*dense, *sparse, gt.mgrid[0:1:0.25], *gt.ogrid[3:0:-1, 2:4, 0:2]])
    expected = [
        *np.mgrid[0:5, 1:7:2],
        *np.ogrid[0:5, 1:7:2],
        np.mgrid[0:1:0.25],
        *np.ogrid[3:0:-1, 2:4, 0:2],
    ]
    for res, want in zip(f(), expected, strict=True):
        np.testing.assert_array_equal(res, want)
    assert dense[0].dtype == "int64"
    with pytest.raises(NotImplementedError):
        gt.mgrid[0:1:5j]


@pytest.mark.parametrize("endpoint", [True, False])
def test_logspace_geomspace(endpoint):
    start, stop = gt.dvector("start"), gt.dscalar("stop")
    sv, tv = np.array([0.5, -1.0, 2.0]), 3.0
    outs = [
        gt.logspace(start, stop, 5, endpoint=endpoint),
        gt.logspace(start, stop, 4, base=2.0, endpoint=endpoint, axis=-1, dtype="float32"),
        gt.geomspace(abs(start) + 1, stop, 6, endpoint=endpoint),
        gt.geomspace(-abs(start) - 1, -stop, 3, endpoint=endpoint, axis=1),
    ]
    expected = [
        np.logspace(sv, tv, 5, endpoint=endpoint),
        np.logspace(sv, tv, 4, base=2.0, endpoint=endpoint, axis=-1).astype("float32"),
        np.geomspace(abs(sv) + 1, tv, 6, endpoint=endpoint),
        np.geomspace(-abs(sv) - 1, -tv, 3, endpoint=endpoint, axis=1),
    ]
    got = compare_jax_and_numpy([start, stop], outs, [sv, tv], expected=expected, rtol=1e-6)
    assert [o.type.shape for o in outs] == [(5, None), (None, 4), (6, None), (None, 3)]
    assert got[2][0].tolist() == (abs(sv) + 1).tolist()  # exact endpoints, as numpy's
    assert gt.logspace(np.int32(0), np.int32(2), 5).type == gt.TensorType("float64", (5,))


def test_logspace_geomspace_grad():
    verify_grad(
        lambda a, b: gt.logspace(a, b, 4) + gt.geomspace(a + 3, b + 3, 4),
        [np.array([0.3, 0.1]), np.array([1.2, 0.9])],
        rng=np.random.default_rng(0),
    )


def test_inverse_permutation():
    v, m = gt.tensor("int64", shape=(4,)), gt.imatrix("m")
    vv = RNG.permutation(4)
    mv = np.stack([RNG.permutation(5) for _ in range(3)]).astype("int32")
    outs = [gt.inverse_permutation(v), gt.inverse_permutation(m)]
    compare_jax_and_numpy([v, m], outs, [vv, mv], expected=[np.argsort(vv), np.argsort(mv, -1)])
    assert [o.type for o in outs] == [v.type, m.type]
    with pytest.raises(TypeError):
        gt.inverse_permutation(gt.dvector())


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_nonzero_family(dtype):
    a = gt.tensor(dtype, shape=(None, 3))
    av = random_value(RNG, dtype, (4, 3), low=-1, high=2)
    outs = [*gt.nonzero(a), gt.nonzero(a, return_matrix=True), gt.flatnonzero(a)]
    outs.append(gt.nonzero_values(a))
    want = [*np.nonzero(av), np.array(np.nonzero(av)), np.flatnonzero(av), av[av != 0]]
    compare_jax_and_numpy([a], outs, [av], expected=want)
    assert outs[2].type == gt.TensorType("int64", (2, None))
    assert outs[4].type == gt.TensorType(dtype, (None,))
    # a constant input folds
    assert gt.flatnonzero(gt.constant([0, 3, 0, 1])).eval().tolist() == [1, 3]


def test_nonzero_values_grad():
    verify_grad(
        lambda x: gt.nonzero_values(gt.constant(np.array([[0.0, 1.0], [2.0, 0.0]])) * x),
        [RNG.normal(size=(2, 2))],
        rng=np.random.default_rng(0),
    )


def test_nonzero_inputs_are_static_and_traced_values_are_refused():
    s, x = g.shared(np.array([0.0, 1.0, 2.0])), gt.dvector("x")
    f = g.function([x], gt.flatnonzero(s * x))
    np.testing.assert_array_equal(f(np.ones(3)), [1, 2])
    s.set_value(np.ones(3))
    np.testing.assert_array_equal(f(np.array([1.0, 0.0, 1.0])), [0, 2])
    # a value only known inside a trace (the graph embedded in a user's jax.jit)
    node = gt.nonzero(x, return_matrix=True).owner
    with pytest.raises(TypeError, match="nonzero"):
        jax.jit(jax_funcify(node.op, node))(np.ones(3))


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: gt.horizontal_stack(gt.dmatrix()), ValueError),
        (lambda: gt.horizontal_stack(gt.dvector(), gt.dvector()), ValueError),
        (lambda: gt.vertical_stack(gt.dmatrix(), gt.tensor3()), ValueError),
        (lambda: gt.nonzero(gt.dscalar()), ValueError),
        (lambda: gt.flatnonzero(gt.dscalar()), ValueError),
        (lambda: gt.mgrid[0:3, 4], TypeError),
    ],
)
def test_bad_inputs(build, error):
    with pytest.raises(error):
        build()
