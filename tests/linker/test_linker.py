"""The dispatch registry and the JAX linker: loud missing implementations, exact types, trace-time folding."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.graph import Apply, FunctionGraph, Op
from graph2jax.linker import jax_funcify, link
from graph2jax.linker.dispatch import NoJaxImplementationError, has_jax_impl


class NoJax(Op):
    """An op with a numpy reference and no JAX implementation."""

    def make_node(self, x):
        x = gt.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1


class AlsoNoJax(NoJax):
    __props__ = ("tag",)

    def __init__(self, tag):
        self.tag = tag


class WrongDtype(NoJax):
    """Its JAX implementation (registered below) returns float32 for a float64 graph."""


@jax_funcify.register(WrongDtype)
def _wrong_dtype(op, node):
    return lambda x: jnp.asarray(x + 1, dtype="float32")


def test_missing_jax_implementations_fail_at_compile_time_all_listed():
    x = gt.dvector("x")
    out = AlsoNoJax(1)(NoJax()(x)) + AlsoNoJax(2)(x)
    assert not has_jax_impl(NoJax) and has_jax_impl(WrongDtype)
    missing = g.unsupported_ops(out)
    # each distinct op once, in execution order
    assert missing == [NoJax(), AlsoNoJax(1), AlsoNoJax(2)]
    assert [type(op) for op in missing] == [NoJax, AlsoNoJax, AlsoNoJax]
    with pytest.raises(NoJaxImplementationError, match="3 op") as info:
        g.function([x], out)
    assert "jax_funcify.register" in str(info.value)
    assert isinstance(info.value, NotImplementedError)
    f = g.function([x], out, mode="NUMPY")  # the reference mode still runs it
    np.testing.assert_allclose(f([1.0]), [5.0])


def test_an_implementation_returning_the_wrong_dtype_is_caught_while_tracing():
    x = gt.dvector("x")
    f = g.function([x], WrongDtype()(x))
    with pytest.raises(TypeError, match="returned dtype float32"):
        f([1.0])


def test_source_has_one_line_per_node():
    x, y = gt.dvectors("x", "y")
    linked = link(FunctionGraph([x, y], [gt.exp(x) * y, x + y]))
    body = linked.source.splitlines()
    assert body[0] == "def linked(x_0, y_1):"
    assert [line.split("= ")[1].split("(")[0] for line in body[1:-1]] == ["exp_2", "mul_4", "add_6"]
    assert body[-1].strip().startswith("return (")


def test_shape_arithmetic_is_folded_while_tracing():
    x = gt.dmatrix("x")
    y = gt.reshape(x, (x.shape[0] * x.shape[1],))
    z = gt.zeros((x.shape[1], 2))
    f = g.function([x], [y, z])
    a, b = f(np.ones((2, 3)))
    assert a.shape == (6,) and b.shape == (3, 2)
    assert f.maker.linked().trace_count == 1
    f(np.ones((2, 3)))
    assert f.maker.linked().trace_count == 1, "same shapes: no new trace"
    f(np.ones((4, 3)))
    assert f.maker.linked().trace_count == 2, "a new shape signature compiles once more"


def test_inputs_deciding_shapes_become_static_arguments():
    n = gt.lscalar("n")
    f = g.function([n], gt.arange(n) * 2)
    assert f.maker.linked().static_argnums == (0,)
    np.testing.assert_array_equal(f(3), [0, 2, 4])
    np.testing.assert_array_equal(f(5), [0, 2, 4, 6, 8])
    f(3)
    assert f.maker.linked().trace_count == 2


def test_large_known_results_are_left_to_xla():
    """Known results are folded while tracing up to ``trace_fold_limit`` elements: a small one
    becomes a literal of the lowered HLO, a larger one is computed by XLA."""
    big_literal = re.compile(r"constant dense<.*> : tensor<(300x300|90000)x")
    small_literal = re.compile(r"constant dense<\[[^\]]*\]> : tensor<5x")
    x = gt.dvector("x")
    outputs = [x.sum() + gt.arange(90_000).reshape((300, 300)).sum(), x + gt.arange(5)]
    for limit, big_is_folded in ((10, False), (10**6, True)):
        f = g.function([x], outputs)  # a fresh function: each traces under its own limit
        with g.config.change_flags(trace_fold_limit=limit):
            hlo, (total, shifted) = f.lower(np.ones(5)).as_text(), f(np.ones(5))
        assert small_literal.search(hlo), (limit, "the small result is folded into a literal")
        assert not big_literal.search(hlo), (limit, "no 300x300 literal is baked in")
        # below the limit XLA computes the 300x300 array; above it, folding leaves none
        assert ("tensor<300x300x" in hlo) is not big_is_folded, limit
        assert float(total) == 5.0 + 90_000 * 89_999 / 2
        np.testing.assert_array_equal(shifted, np.arange(1.0, 6.0))


@pytest.fixture(scope="module")
def constant_functions():
    """``sum(x * c) + mean(c)`` and ``c`` itself, for a small and two large constants ``c``."""
    built = {}
    for n in (10, 50_000, 400_000):
        c = np.random.default_rng(n).normal(size=n)
        x = gt.dvector("x")
        built[n] = (c, g.function([x], [(x * c).sum() + gt.constant(c).mean(), gt.constant(c)]))
    return built


def test_large_constants_are_arguments_not_part_of_the_program(constant_functions):
    sizes = {}
    for n, (c, f) in constant_functions.items():
        total, back = f(np.ones(n))
        np.testing.assert_allclose(total, c.sum() + c.mean())
        np.testing.assert_array_equal(back, c)
        sizes[n] = len(f.lower(np.ones(n)).as_text())
    # the 10-element constant is embedded; 50k or 400k elements (0.4 or 3.2 MB) are not
    assert max(sizes[50_000], sizes[400_000]) < 2 * sizes[10]
    hoisted = constant_functions[50_000][1].maker.linked()._constants
    assert hoisted and all(v.shape == (50_000,) for v in hoisted)


def test_large_constants_reach_the_pure_function(constant_functions):
    c, f = constant_functions[50_000]
    batched = jax.vmap(f.jax_fn)(jnp.stack([jnp.ones(50_000), jnp.zeros(50_000)]))
    np.testing.assert_allclose(batched[0], [c.sum() + c.mean(), c.mean()])
