"""The compiled callable every linker returns: the protocol, its counters, signatures, the linker table."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import aliasing
from graph2jax.compile.debugmode import DebugCompiled
from graph2jax.compile.maker import LINKERS
from graph2jax.compile.mode import LINKERS as MODE_LINKERS
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker.compiled import Compiled, JaxCompiled, StaticValue, signature
from graph2jax.linker.jax_linker import link
from graph2jax.linker.numpy_linker import NumpyCompiled


@pytest.mark.parametrize(
    ("mode", "cls"),
    [("FAST_RUN", JaxCompiled), ("NUMPY", NumpyCompiled), ("DebugMode", DebugCompiled)],
)
def test_every_linker_returns_the_compiled_protocol(mode, cls):
    x = gt.dvector("x")
    w = g.shared(np.ones(2), name="w")
    f = g.function([x], gt.exp(x) * w, updates=[(w, w + x)], mode=mode)
    compiled = f.maker.linked()
    assert type(compiled) is cls and isinstance(compiled, Compiled)
    assert compiled.fgraph.inputs[1].type == w.type
    np.testing.assert_allclose(f([0.0, 1.0]), [1.0, np.e])
    np.testing.assert_allclose(w.get_value(), [1.0, 2.0])
    results = compiled.call(np.zeros(2), jnp.ones(2))
    np.testing.assert_allclose(np.asarray(results[1]), [1.0, 1.0])


def test_the_linker_table_covers_every_mode_linker():
    assert sorted(LINKERS) == sorted(MODE_LINKERS)


def test_numpy_linker_has_no_source_lowering_or_jax_fn():
    x = gt.dvector("x")
    f = g.function([x], x + 1, mode="NUMPY")
    compiled = f.maker.linked()
    assert compiled.source is None and compiled.trace_count == 0
    with pytest.raises(TypeError, match="nothing to lower"):
        f.lower(np.zeros(2))
    with pytest.raises(TypeError, match="jax_fn"):
        compiled.pure()


def test_debug_mode_shares_the_jax_callable_counters_and_source():
    x = gt.dvector("x")
    f = g.function([x], gt.exp(x), mode="DebugMode")
    f(np.zeros(3))
    f(np.zeros(3))
    f(np.zeros(4))
    compiled = f.maker.linked()
    assert compiled.trace_count == 2 and compiled.compile_count == 2
    assert compiled.source == compiled._jax.source and "exp_" in compiled.source
    assert "exponential" in f.lower(np.zeros(3)).as_text()


def test_one_trace_and_one_compilation_per_signature():
    x = gt.dvector("x")
    compiled = link(FunctionGraph([x], [gt.tanh(x)]))
    for _ in range(3):
        compiled.call(np.zeros(3))
    assert (compiled.trace_count, compiled.compile_count) == (1, 1)
    compiled.call(np.zeros(5))
    compiled.call(np.zeros(3, dtype="float64"))
    assert (compiled.trace_count, compiled.compile_count) == (2, 2)


def test_static_arguments_are_wrapped_by_the_compiled_object():
    n = gt.lscalar("n")
    compiled = link(FunctionGraph([n], [gt.arange(n)]))
    assert compiled.static_argnums == (0,)
    np.testing.assert_array_equal(np.asarray(compiled.call(np.int64(3))[0]), [0, 1, 2])
    np.testing.assert_array_equal(np.asarray(compiled.pure()(np.int64(2))[0]), [0, 1])
    compiled.call(np.int64(3))
    assert compiled.trace_count == 2  # values 3 and 2; pure() shares the cache of no donation


def test_an_unusable_donation_is_routed_to_a_variant_traced_once():
    w = gt.dvector("w")
    grow = FunctionGraph([w], [gt.concatenate([w, w])])
    compiled = link(grow, (0,), aliasing.usable_donations)
    assert compiled.donate_argnums == (0,)
    buffer = jnp.ones(2)
    out = compiled.call(buffer)[0]
    assert out.shape == (4,) and not buffer.is_deleted()  # nothing could reuse it
    compiled.call(jnp.ones(2))
    # the full variant's trace found the donation unusable; the variant without it compiled once
    assert (compiled.trace_count, compiled.compile_count) == (2, 1)


def test_a_usable_donation_consumes_the_buffer():
    w = gt.dvector("w")
    compiled = link(FunctionGraph([w], [w * 2]), (0,), aliasing.usable_donations)
    buffer = jnp.ones(3)
    np.testing.assert_allclose(np.asarray(compiled.call(buffer)[0]), [2.0, 2.0, 2.0])
    assert buffer.is_deleted()


def test_signature_covers_shape_dtype_weak_type_and_static_values():
    strong, weak = jnp.asarray(1.0).astype("float64"), jnp.asarray(1.0)
    assert signature([strong]) != signature([weak])
    assert signature([np.zeros(2)]) != signature([np.zeros(3)])
    assert signature([np.zeros(2, "float32")]) != signature([np.zeros(2)])
    assert signature([StaticValue([2, 3])]) == signature([StaticValue(np.array([2, 3]))])
    assert signature([StaticValue([2, 3])]) != signature([StaticValue([3, 2])])


def test_generated_source_names_thunks_after_their_ops():
    x = gt.dmatrix("x")
    source = link(FunctionGraph([x], [gt.sum(gt.exp(x), axis=0)])).source
    body = [line.split(" = ")[1].split("(")[0] for line in source.splitlines()[1:-1]]
    assert [name.rsplit("_", 1)[0] for name in body] == ["exp", "sum"]
