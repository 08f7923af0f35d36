"""Linking ops with inner graphs: link_inner, static inputs needed in a body, checks that see inside,
and the registry refusing a second registration."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.graph import Apply, FunctionGraph, Op
from graph2jax.linker import jax_funcify, numpy_linker
from graph2jax.linker.dispatch import NoJaxImplementationError
from graph2jax.linker.jax_linker import link_inner, static_input_indices


class Call(Op):
    """A test op evaluating its inner graph on its inputs, which it passes through unchanged."""

    def __init__(self, fgraph):
        self.fgraph = fgraph

    @property
    def inner_fgraphs(self):
        return (self.fgraph,)

    def with_inner_fgraphs(self, fgraphs):
        return Call(*fgraphs)

    def inner_input_origins(self, k):
        return tuple(range(len(self.fgraph.inputs)))

    def make_node(self, *inputs):
        inputs = [gt.as_tensor_variable(i) for i in inputs]
        return Apply(self, inputs, [o.type() for o in self.fgraph.outputs])

    def perform(self, node, inputs, output_storage):
        results = numpy_linker.link_inner(self.fgraph)(*inputs)
        for cell, value in zip(output_storage, results, strict=True):
            cell[0] = value


@jax_funcify.register(Call)
def _jax_call(op, node):
    body = link_inner(op.fgraph)
    return lambda *args: body(*args)[0]


class Untranslated(Op):
    """A test op with a numpy reference and no JAX implementation."""

    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * 10


def _call(build, *types):
    inputs = [t() for t in types]
    return Call(FunctionGraph(inputs, [build(*inputs)]))


def test_an_op_without_jax_inside_a_body_is_listed_and_refused_up_front():
    x = gt.dvector("x")
    out = _call(lambda u: Untranslated()(gt.exp(u)), gt.dvector)(x) + 1
    assert g.unsupported_ops(out) == [Untranslated()]
    with pytest.raises(NoJaxImplementationError, match=r"1 op\(s\).*Untranslated"):
        g.function([x], out)
    f = g.function([x], out, mode="NUMPY")
    np.testing.assert_allclose(f([0.0, 1.0]), [11.0, 10 * np.e + 1])


def test_a_value_a_body_needs_while_tracing_makes_the_outer_input_static():
    x, n = gt.dvector("x"), gt.lscalar("n")
    row_sums = _call(lambda u, m: gt.reshape(u, (m, -1)).sum(axis=1), gt.dvector, gt.lscalar)
    nested = _call(lambda u, m: row_sums(u, m) * 2, gt.dvector, gt.lscalar)
    for op in (row_sums, nested):
        out = op(gt.exp(x), n)
        assert static_input_indices(FunctionGraph([x, n], [out])) == (1,)
        f = g.function([x, n], out)
        xv = np.arange(6.0)
        scale = 1 if op is row_sums else 2
        np.testing.assert_allclose(f(xv, 2), scale * np.exp(xv).reshape(2, 3).sum(axis=1))
        np.testing.assert_allclose(f(xv, 3), scale * np.exp(xv).reshape(3, 2).sum(axis=1))


def test_an_input_the_op_makes_is_never_static():
    x = gt.dvector("x")
    op = _call(lambda u: gt.arange(u.shape[0]) * u, gt.dvector)
    assert static_input_indices(FunctionGraph([x], [op(x)])) == ()  # shape only: not static
    np.testing.assert_allclose(g.function([x], op(x))([2.0, 3.0]), [0.0, 3.0])


def test_link_inner_runs_the_body_on_jax_and_numpy_values():
    u, v = gt.dvectors("u", "v")
    body = FunctionGraph([u, v], [u * v, gt.exp(u)])
    for link in (link_inner, numpy_linker.link_inner):
        prod, e = link(body)(np.array([2.0]), np.array([3.0]))
        np.testing.assert_allclose(prod, [6.0])
        np.testing.assert_allclose(e, [np.exp(2.0)])


class Registered(Untranslated):
    """A test op registered once below."""


@jax_funcify.register(Registered)
def _jax_registered(op, node):
    return lambda x: x * 10


def test_a_second_registration_for_an_op_class_raises():
    with pytest.raises(ValueError, match="Registered already has a JAX implementation"):

        @jax_funcify.register(Registered)
        def _another(op, node):
            return lambda x: x

    assert jax_funcify.dispatch(Registered) is _jax_registered
    # running the same definition again (a module imported twice) is allowed
    jax_funcify.register(Registered)(_jax_registered)
    with pytest.raises(TypeError, match="an Op class"):
        jax_funcify.register(Registered())


def test_a_subclass_may_register_its_own_implementation():
    class Child(Registered):
        pass

    jax_funcify.register(Child)(lambda op, node: lambda x: x * 20)
    x = gt.dvector("x")
    np.testing.assert_allclose(g.function([x], Child()(x))([1.0]), [20.0])
