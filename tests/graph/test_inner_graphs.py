"""Inner graphs in the IR: the recursive walk, structural keys of graphs, equality of ops holding them."""

from __future__ import annotations

import pickle

import graph2jax.tensor as gt
from graph2jax.graph import Apply, FunctionGraph, Op
from graph2jax.graph.basic import walk_nodes


class Holder(Op):
    """A test op holding inner graphs (it is never linked)."""

    __props__ = ("tag",)

    def __init__(self, *fgraphs, tag=0):
        self.inner_fgraphs = fgraphs
        self.tag = tag

    def make_node(self, *inputs):
        return Apply(self, list(inputs), [o.type() for o in self.inner_fgraphs[0].outputs])


def _body(build, *types):
    inputs = [t() for t in types]
    return FunctionGraph(inputs, [build(*inputs)])


def test_walk_enters_inner_graphs_depth_first_and_each_graph_once():
    nested = _body(gt.log, gt.dvector)
    body = _body(lambda u: Holder(nested)(gt.exp(u)), gt.dvector)
    x = gt.dvector("x")
    holder = Holder(body)
    out = holder(x) + holder(gt.sqrt(x))  # two nodes hold the same body
    names = [str(node.op).split("{")[0] for node in walk_nodes([x], [out])]
    assert names == ["Holder", "exp", "Holder", "log", "sqrt", "Holder", "add"]


def test_structural_keys_are_equal_for_the_same_graph_built_twice():
    x, y = gt.dvectors("x", "y")

    def key(build, *inputs):
        return FunctionGraph(inputs, [build(*inputs)]).structural_key()

    same = key(lambda a, b: gt.exp(a) * b + 1, x, y)
    assert same == key(lambda a, b: gt.exp(a) * b + 1, *gt.dvectors("p", "q"))
    assert hash(same) == hash(key(lambda a, b: gt.exp(a) * b + 1, x, y))
    assert same != key(lambda a, b: gt.log(a) * b + 1, x, y)  # another op
    assert same != key(lambda a, b: gt.exp(b) * a + 1, x, y)  # another wiring
    assert same != key(lambda a, b: gt.exp(a) * b + 2, x, y)  # another constant
    assert same != key(lambda a, b: gt.exp(a) * b + 1, *gt.fvectors("p", "q"))  # input types


def test_ops_holding_inner_graphs_compare_by_structure():
    def body():
        return _body(lambda u: gt.exp(u) + 1, gt.dvector)

    op = Holder(body())
    assert op == Holder(body()) and hash(op) == hash(Holder(body()))
    assert op == pickle.loads(pickle.dumps(op))
    assert op != Holder(body(), tag=1)  # props still count
    assert op != Holder(_body(lambda u: gt.exp(u) + 2, gt.dvector))
    assert op != Holder(body(), body())

    def outer():  # a body holding a body: compared by its inner op's structure
        return Holder(_body(lambda u: Holder(body())(u), gt.dvector))

    assert outer() == outer() and outer() != op
