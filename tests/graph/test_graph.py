"""The IR: ops' props equality, traversal, FunctionGraph bookkeeping, clone_replace and graph_replace."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.graph import (
    Apply,
    FunctionGraph,
    MissingInputError,
    Op,
    ancestors,
    clone_replace,
    graph_inputs,
    graph_replace,
    toposort,
)
from graph2jax.ops.elemwise import DimShuffle
from graph2jax.ops.reshape import Reshape


def test_ops_with_equal_props_are_equal_and_hash_alike():
    assert DimShuffle(2, (1, 0)) == DimShuffle(2, (1, 0))
    assert hash(DimShuffle(2, (1, 0))) == hash(DimShuffle(2, (1, 0)))
    assert DimShuffle(2, (1, 0)) != DimShuffle(2, (0, 1))
    assert Reshape(2) != DimShuffle(2, (0, 1))


def test_variable_remembers_the_users_line():
    x = gt.dvector("x")
    assert x.tag.trace.endswith(
        f"test_graph.py:{test_variable_remembers_the_users_line.__code__.co_firstlineno + 1}"
    )
    assert "test_graph.py" in x.describe()


def test_toposort_puts_each_node_after_its_inputs():
    x, y = gt.dvectors("x", "y")
    a = x + y
    b = gt.exp(a)
    c = b * a
    order = toposort([x, y], [c])
    assert order == [a.owner, b.owner, c.owner]
    assert {id(v) for v in graph_inputs([c])} == {id(x), id(y)}
    assert a in ancestors([c]) and x in ancestors([c])
    assert ancestors([c], blockers=[a]).count(x) == 0


def test_function_graph_tracks_clients_and_replaces():
    x, y = gt.dvectors("x", "y")
    out = gt.exp(x) + y
    fg = FunctionGraph([x, y], [out])
    assert fg.inputs[0] is not x, "the graph is cloned by default"
    fx, fy = fg.inputs
    exp_node = fg.outputs[0].owner.inputs[0].owner
    assert fg.clients[fx] == [(exp_node, 0)]
    assert len(fg.apply_nodes) == 2
    fg.replace(fg.outputs[0].owner.inputs[0], fx)  # exp(x) -> x
    assert exp_node not in fg.apply_nodes
    assert fg.outputs[0].owner.inputs[0] is fx
    assert len(fg.apply_nodes) == 1
    f = g.function([x, y], out)
    assert np.allclose(f([0.0], [1.0]), [2.0])


def test_function_graph_replace_refuses_another_type():
    x = gt.dvector("x")
    fg = FunctionGraph([x], [gt.exp(x)])
    with pytest.raises(TypeError, match="cannot replace"):
        fg.replace(fg.inputs[0], gt.dmatrix("m"))


def test_function_graph_needs_every_input():
    x, y = gt.dvectors("x", "y")
    with pytest.raises(MissingInputError, match="'y'"):
        FunctionGraph([x], [x + y])


def test_clone_replace_substitutes_and_leaves_the_original():
    x, y, z = gt.dvectors("x", "y", "z")
    out = gt.exp(x) * y
    new = clone_replace(out, {x: z})
    assert x in ancestors([out]) and z not in ancestors([out])
    assert z in ancestors([new]) and x not in ancestors([new])
    f = g.function([z, y], new)
    np.testing.assert_allclose(f([0.0], [3.0]), [3.0])


def test_graph_replace_of_an_intermediate_and_strict_types():
    x = gt.dvector("x")
    mid = gt.exp(x)
    out = mid + 1
    new = graph_replace(out, {mid: x * 2})
    np.testing.assert_allclose(g.function([x], new)([1.0]), [3.0])
    with pytest.raises(TypeError, match="cannot replace"):
        graph_replace(out, {mid: gt.fvector("f")})


def test_apply_out_needs_a_single_output():
    class TwoOut(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type(), x.type()])

    node = TwoOut().make_node(gt.dvector())
    with pytest.raises(ValueError, match="2 outputs"):
        _ = node.out
    assert len(TwoOut()(gt.dvector())) == 2
