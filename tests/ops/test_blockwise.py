"""vectorize_graph and Blockwise: batched inputs, against a numpy loop over the batch."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.graph import vectorize_graph
from graph2jax.graph.replace import vectorize_graph as vectorize_graph_replace_path
from graph2jax.ops.blockwise import Blockwise

RNG = np.random.default_rng(0)
XB = RNG.normal(size=(3, 2))
M = RNG.normal(size=(4, 2))


@pytest.fixture(scope="module")
def batched():
    """Graphs of a vector x (and a fixed matrix m), vectorized over a batch X of x's."""
    x, m, X = gt.dvector("x"), gt.dmatrix("m"), gt.dmatrix("X")
    graphs = {
        "elemwise_broadcast": ((x + m).sum(axis=1), lambda xv: (xv + M).sum(axis=1)),
        "dot": (gt.dot(m, x), lambda xv: M @ xv),
        "sum": (gt.exp(x).sum(), lambda xv: np.exp(xv).sum()),
        "softmax": (gt.special.softmax(x), lambda xv: np.exp(xv) / np.exp(xv).sum()),
        "outer": (gt.outer(x, x), lambda xv: np.outer(xv, xv)),
    }
    names = list(graphs)
    outs = vectorize_graph([graphs[n][0] for n in names], replace={x: X})
    expected = {n: np.stack([graphs[n][1](xv) for xv in XB]) for n in names}
    return names, outs, (X, m), expected


@pytest.mark.parametrize("mode", ["FAST_RUN", "NUMPY"])
def test_vectorized_graph_equals_a_loop_over_the_batch(batched, mode):
    names, outs, inputs, expected = batched
    got = g.function(list(inputs), outs, mode=mode)(XB, M)
    for name, value in zip(names, got, strict=True):
        np.testing.assert_allclose(value, expected[name], err_msg=name)


def test_non_elementwise_nodes_become_blockwise(batched):
    names, outs, _, _ = batched
    ops = {n: o.owner.op for n, o in zip(names, outs, strict=True)}
    assert isinstance(ops["dot"], Blockwise) and isinstance(ops["outer"], Blockwise)
    assert outs[names.index("dot")].type == gt.TensorType("float64", (None, None))


def test_jacobian_by_vectorizing_lop():
    x = gt.dvector("x")
    cot = gt.dvector("cot")
    row = g.gradient.Lop(x**2, x, cot)
    J = vectorize_graph_replace_path(row, replace={cot: gt.eye(x.size)})
    np.testing.assert_array_equal(g.function([x], J)(np.array([4.0, 3.0])), [[8, 0], [0, 6]])


def test_unchanged_graph_and_bad_replacements():
    x, y = gt.dvector("x"), gt.dvector("y")
    out = x * 2
    assert vectorize_graph(out, replace={y: gt.dmatrix()}) is out
    with pytest.raises(TypeError, match="dtype"):
        vectorize_graph(out, replace={x: gt.imatrix()})
    with pytest.raises(ValueError, match="fewer"):
        vectorize_graph(out, replace={x: gt.dscalar()})


def test_batch_dimensions_broadcast():
    x, m = gt.dvector("x"), gt.dmatrix("m")
    z = gt.dot(m, x)
    Xb, Mb = gt.dmatrix("Xb"), gt.dtensor4("Mb")  # batch shapes (2,) and (3, 1)
    zb = vectorize_graph(z, replace={x: Xb, m: Mb})
    xv, mv = RNG.normal(size=(2, 5)), RNG.normal(size=(3, 1, 4, 5))
    expected = np.einsum("abij,bj->abi", np.broadcast_to(mv, (3, 2, 4, 5)), xv)
    for mode in ("FAST_RUN", "NUMPY"):
        got = g.function([Xb, Mb], zb, mode=mode)(xv, mv)
        assert got.shape == (3, 2, 4)
        np.testing.assert_allclose(got, expected)


def test_gradient_through_blockwise_equals_the_loop():
    x, m, X = gt.dvector("x"), gt.dmatrix("m"), gt.dmatrix("X")
    zb = vectorize_graph(gt.dot(m, x), replace={x: X})
    assert isinstance(zb.owner.op, Blockwise)
    cost = (zb**2).sum()
    gX, gm = g.grad(cost, [X, m])
    got_X, got_m = g.function([X, m], [gX, gm])(XB, M)
    Z = XB @ M.T  # row b is M @ XB[b]
    np.testing.assert_allclose(got_X, 2 * Z @ M)
    np.testing.assert_allclose(got_m, 2 * Z.T @ XB)


def test_unbatched_static_input_stays_unbatched():
    x, X = gt.dvector("x"), gt.dmatrix("X")
    r = gt.reshape(x, (2, 2)).sum(axis=0)
    rb = vectorize_graph(r, replace={x: X})
    xv = np.arange(8.0).reshape(2, 4)
    np.testing.assert_array_equal(
        g.function([X], rb)(xv), np.stack([v.reshape(2, 2).sum(0) for v in xv])
    )


def test_static_batch_lengths_that_cannot_broadcast_are_rejected():
    x, m = gt.dvector("x"), gt.dmatrix("m")
    with pytest.raises(ValueError, match=r"Blockwise.*axis 0 has lengths \[2, 3\]"):
        vectorize_graph(
            gt.dot(m, x), replace={x: gt.tensor(shape=(2, 5)), m: gt.tensor(shape=(3, 4, 5))}
        )


def _inferred_shape(inputs, out):
    """``out``'s shape by its op's ``infer_shape``, compiled alone: (function, compiled ops)."""
    node = out.owner
    in_shapes = [[gt.shape_i(i, k) for k in range(i.ndim)] for i in node.inputs]
    entries = node.op.infer_shape(None, node, in_shapes)[out.index]
    f = g.function(inputs, gt.stack([gt.cast(e, "int64") for e in entries]))
    return f, [n.op for n in f.maker.fgraph.toposort()]


def test_infer_shape_broadcasts_batches_without_running_the_core_op():
    x, m = gt.dvector("x"), gt.dmatrix("m")
    Xb, Mb = gt.dmatrix("Xb"), gt.dtensor4("Mb")  # lengths 1 known only while running
    zb = vectorize_graph(gt.dot(m, x), replace={x: Xb, m: Mb})
    f, ops = _inferred_shape([Xb, Mb], zb)
    assert not any(isinstance(op, Blockwise) for op in ops)
    for xs, ms in [((2, 5), (3, 1, 4, 5)), ((1, 5), (3, 2, 4, 5)), ((0, 5), (3, 1, 4, 5))]:
        want = np.einsum("abij,bj->abi", np.zeros(ms), np.zeros(xs)).shape
        assert tuple(f(np.zeros(xs), np.zeros(ms))) == want


def test_infer_shape_of_a_core_shape_read_from_an_unbatched_input():
    x, X, n = gt.dvector("x"), gt.dmatrix("X"), gt.lscalar("n")
    rb = vectorize_graph(gt.reshape(x, (n, -1)), replace={x: X})
    assert isinstance(rb.owner.op, Blockwise)
    f, ops = _inferred_shape([X, n], rb)
    assert not any(isinstance(op, Blockwise) for op in ops)
    assert tuple(f(np.zeros((3, 6)), 2)) == (3, 2, 3)
