"""JacobianRows, the batched jacobian's op: equality by structure, its body rewritten, its values."""

from __future__ import annotations

import pickle

import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import jacobian


def _jacobian_op(build, *, dtype="float64"):
    x = gt.vector("x", dtype=dtype)
    return jacobian(build(x), x, vectorize=True).owner.op


def test_two_jacobians_of_the_same_graph_are_equal_and_a_pickled_copy_too():
    op = _jacobian_op(lambda x: gt.exp(x) * x**3)
    again = _jacobian_op(lambda x: gt.exp(x) * x**3)
    assert op is not again and op == again and hash(op) == hash(again)
    copy = pickle.loads(pickle.dumps(op))
    assert copy == op and hash(copy) == hash(op)
    assert op != _jacobian_op(lambda x: gt.exp(x) * x**2)  # another constant
    assert op != _jacobian_op(lambda x: gt.log(x) * x**3)  # another op
    assert op != _jacobian_op(lambda x: gt.exp(x) * x**3, dtype="float32")  # other types


def test_a_stabilizing_rewrite_fires_inside_the_jacobian_body():
    x = gt.dvector("x")
    jac = jacobian(gt.log(gt.exp(x) - 1), x, vectorize=True)
    f = g.function([x], jac)
    (node,) = [n for n in f.maker.fgraph.apply_nodes if n.op.inner_fgraphs]
    (body,) = node.op.inner_fgraphs
    names = {str(n.op) for n in body.apply_nodes}
    assert "expm1" in names and "exp_minus_one" in [r for r, _ in f.maker.rewrites_applied]
    assert "expm1" not in {str(n.op) for n in jac.owner.op.fgraph.apply_nodes}, "user's op kept"
    xv = np.array([1e-9, 0.5, 2.0])
    np.testing.assert_allclose(f(xv), np.diag(np.exp(xv) / np.expm1(xv)), rtol=1e-12)
