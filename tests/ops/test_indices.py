"""``graph2jax/ops/indices.py`` (triangle indices, ``unravel_index``,
``ravel_multi_index``) and ``concat_with_broadcast``/``specify_broadcastable`` against numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from tests.helpers import compare_jax_and_numpy

RNG = np.random.default_rng(0)


def test_triangle_indices():
    n, k, m = gt.lscalar("n"), gt.lscalar("k"), gt.lscalar("m")
    a = gt.dmatrix("a")
    outs = [*gt.tril_indices(n, k, m), *gt.triu_indices(n, k, m)]
    outs += [*gt.tril_indices_from(a, k), *gt.triu_indices_from(a)]
    f = g.function([n, k, m, a], outs)
    for nv, kv, mv in [(3, 0, 3), (4, -1, 2), (2, 2, 5)]:
        av = np.zeros((nv, mv))
        want = [*np.tril_indices(nv, kv, mv), *np.triu_indices(nv, kv, mv)]
        want += [*np.tril_indices_from(av, kv), *np.triu_indices_from(av)]
        for res, w in zip(f(nv, kv, mv, av), want, strict=True):
            assert res.dtype == np.int64
            np.testing.assert_array_equal(res, w)
    assert [o.type.shape for o in gt.tril_indices(3)] == [(None,), (None,)]
    with pytest.raises(ValueError):
        gt.tril_indices_from(gt.dvector())


@pytest.mark.parametrize("order", ["C", "F"])
def test_unravel_and_ravel(order):
    flat, rows, cols = gt.ivector("flat"), gt.lvector("rows"), gt.bvector("cols")
    dims = (3, 4)
    unravelled = gt.unravel_index(flat, dims, order)
    outs = [
        *unravelled,
        *gt.unravel_index(flat[0], dims, order),
        gt.ravel_multi_index((rows, cols), dims, order=order),
        gt.ravel_multi_index((rows + 3, cols - 4), dims, mode="wrap", order=order),
        gt.ravel_multi_index((rows * 5, -cols), dims, mode="clip", order=order),
    ]
    fv = RNG.integers(0, 12, size=5).astype("int32")
    rv, cv = RNG.integers(0, 3, size=5), RNG.integers(0, 4, size=5).astype("int8")
    expected = [
        *np.unravel_index(fv, dims, order),
        *np.unravel_index(fv[0], dims, order),
        np.ravel_multi_index((rv, cv), dims, order=order),
        np.ravel_multi_index((rv + 3, cv - 4), dims, mode="wrap", order=order),
        np.ravel_multi_index((rv * 5, -cv.astype(int)), dims, mode="clip", order=order),
    ]
    compare_jax_and_numpy([flat, rows, cols], outs, [fv, rv, cv], expected=expected)
    assert [o.type for o in outs[:4]] == [gt.TensorType("int64", (None,))] * 2 + [
        gt.TensorType("int64", ())
    ] * 2


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: gt.unravel_index(gt.dvector(), (3, 4)), TypeError),
        (lambda: gt.unravel_index(gt.lvector(), (3, 4), order="K"), ValueError),
        (lambda: gt.unravel_index(gt.lvector(), gt.lvector()), TypeError),
        (lambda: gt.ravel_multi_index((gt.lvector(),), (3, 4)), ValueError),
        (lambda: gt.ravel_multi_index((gt.lvector(),), (3,), mode="bad"), ValueError),
        (lambda: gt.concat_with_broadcast([]), ValueError),
        (lambda: gt.concat_with_broadcast([gt.dmatrix(), gt.dvector()]), TypeError),
        (lambda: gt.specify_broadcastable(gt.dmatrix(shape=(2, None)), 0), ValueError),
    ],
)
def test_bad_inputs(build, error):
    with pytest.raises(error):
        build()


def test_concat_with_broadcast_and_specify_broadcastable():
    x, y = gt.dmatrix("x", shape=(2, 3)), gt.dmatrix("y", shape=(1, 1))
    z = gt.dmatrix("z")
    outs = [
        gt.concat_with_broadcast([x, y], axis=0),
        gt.concat_with_broadcast([y, x, y], axis=1),
        gt.specify_broadcastable(z, 1) + x,
    ]
    assert [o.type.shape for o in outs] == [(3, 3), (2, 5), (2, 3)]
    xv, yv, zv = RNG.normal(size=(2, 3)), RNG.normal(size=(1, 1)), RNG.normal(size=(2, 1))
    expected = [
        np.concatenate([xv, np.broadcast_to(yv, (1, 3))]),
        np.concatenate([np.broadcast_to(yv, (2, 1)), xv, np.broadcast_to(yv, (2, 1))], 1),
        zv + xv,
    ]
    compare_jax_and_numpy([x, y, z], outs, [xv, yv, zv], expected=expected)
    g.gradient.verify_grad(
        lambda x, y: gt.concat_with_broadcast([x, y]), [xv, yv], rng=np.random.default_rng(0)
    )
