"""The ``Function`` object: calling conventions, output_subset, finder, copy, free, jax_fn, lower."""

from __future__ import annotations

import copy

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.function.types import DUPLICATE, Function
from graph2jax.compile.io import In
from graph2jax.linker.compiled import Compiled, JaxCompiled


@pytest.fixture(scope="module")
def affine():
    x, y = gt.dscalars("x", "y")
    return x, y, g.function([x, y], x * 10 + y, name="affine")


def test_positional_and_keyword_arguments(affine):
    x, y, f = affine
    assert isinstance(f, Function)
    assert float(f(1.0, 2.0)) == 12.0
    assert float(f(1.0, y=2.0)) == 12.0
    assert float(f(y=2.0, x=1.0)) == 12.0
    assert float(f(**{"x": 3.0, "y": 0.0})) == 30.0


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((1.0, 2.0, 3.0), {}, "at most 2"),
        ((1.0,), {}, "missing required input"),
        ((1.0, 2.0), {"z": 1.0}, "no input named 'z'"),
        ((1.0, 2.0), {"x": 1.0}, "given twice"),
    ],
)
def test_bad_call_signatures_raise_type_error(affine, args, kwargs, match):
    f = affine[2]
    with pytest.raises(TypeError, match=match):
        f(*args, **kwargs)


def test_output_subset_by_index_and_key_computes_only_those_and_applies_updates():
    x = gt.dvector("x")
    count = g.shared(np.int64(0), name="count")
    f = g.function(
        [x], {"total": gt.sum(x), "double": x * 2, "exp": gt.exp(x)}, updates=[(count, count + 1)]
    )
    full = f(np.array([1.0, 2.0]))
    assert sorted(full) == ["double", "exp", "total"]
    part = f(np.array([1.0, 2.0]), output_subset=["total"])
    assert list(part) == ["total"] and float(part["total"]) == 3.0
    by_index = f(np.array([1.0, 2.0]), output_subset=[0])  # keys are sorted: 0 is "double"
    np.testing.assert_array_equal(by_index["double"], [2.0, 4.0])
    assert int(count.get_value()) == 3  # the updates ran for every subset
    linked = f.maker.linked((2,))
    assert linked is f.maker.linked((2,)) and linked is not f.maker.linked(None)
    assert len(linked.fgraph.outputs) == 2  # "total" and the update: nothing else is computed
    assert len(linked.fgraph.apply_nodes) < len(f.maker.fgraph.apply_nodes)
    with pytest.raises(ValueError, match="no output named"):
        f(np.array([1.0]), output_subset=["nope"])
    with pytest.raises(ValueError):
        f(np.array([1.0]), output_subset=[5])


def test_output_subset_on_a_list_of_outputs():
    x = gt.dscalar("x")
    f = g.function([x], [x + 1, x + 2, x + 3])
    assert [float(v) for v in f(0.0, output_subset=[2, 0])] == [3.0, 1.0]


def test_trust_input_skips_checks(affine):
    x, y = gt.dscalars("x", "y")
    f = g.function([x, y], x - y)
    f.trust_input = True
    assert float(f(np.float64(3.0), np.float64(1.0))) == 2.0
    assert float(f(jnp.float64(3.0), jnp.float64(1.0))) == 2.0


def test_finder_and_item_access_with_duplicate_names():
    a = gt.dscalar("same")
    b = gt.dscalar("same")
    f = g.function([In(a, value=1.0), In(b, value=2.0)], a - b)
    assert f.finder["same"] is DUPLICATE
    assert float(f[a]) == 1.0 and float(f[b]) == 2.0 and float(f[0]) == 1.0
    with pytest.raises(KeyError, match="several inputs"):
        f["same"]
    with pytest.raises(KeyError, match="several inputs"):
        f["same"] = 3.0
    with pytest.raises(KeyError, match="no input"):
        f["other"]
    with pytest.raises(TypeError, match="several inputs are named"):
        f(same=1.0)
    assert float(f()) == -1.0 and float(f(5.0, 1.0)) == 4.0
    assert "same" in f and a in f and "other" not in f


def test_hash_and_equality_by_identity(affine):
    f = affine[2]
    other = copy.copy(f)
    assert hash(f) == object.__hash__(f)
    assert f == f and f != other
    assert len({f, other, f}) == 2


def test_copy_gets_its_own_containers_unless_share_memory():
    x, s = gt.dscalars("x", "s")
    f = g.function([x, In(s, value=0.0, update=s + x)], s, name="acc")
    f(1.0)
    own = f.copy()
    shared_mem = f.copy(share_memory=True)
    assert own.name == "acc copy" and f.copy(name="other").name == "other"
    assert own.maker.fgraph is f.maker.fgraph  # same graph: the copy reuses the compiled callable
    own(10.0)
    assert float(f["s"]) == 1.0 and float(own["s"]) == 11.0
    shared_mem(100.0)
    assert float(f["s"]) == 101.0
    assert float(copy.copy(f)["s"]) == 101.0


def test_copy_swap_replaces_shared_variables_in_the_copy_only():
    w = g.shared(np.float64(1.0), name="w")
    w2 = g.shared(np.float64(5.0), name="w2")
    x = gt.dscalar("x")
    f = g.function([x], w * x, updates=[(w, w + 1)])
    swapped = f.copy(swap={w: w2})
    assert float(swapped(2.0)) == 10.0
    assert float(w.get_value()) == 1.0 and float(w2.get_value()) == 6.0
    assert float(f(2.0)) == 2.0 and float(w.get_value()) == 2.0
    with pytest.raises(TypeError, match="swap"):
        f.copy(swap={w: g.shared(np.zeros(2))})


def test_copy_delete_updates_and_profile():
    w = g.shared(np.float64(1.0), name="w")
    f = g.function([], w * 2, updates=[(w, w + 1)])
    frozen = f.copy(delete_updates=True, profile=True)
    assert float(frozen()) == 2.0 and float(frozen()) == 2.0
    assert float(w.get_value()) == 1.0
    assert isinstance(frozen.profile, g.ProfileStats) and frozen.profile.call_count == 2
    assert float(f()) == 2.0 and float(w.get_value()) == 2.0


def test_free_drops_executables_and_the_function_still_works(affine):
    f = affine[2]
    f(1.0, 1.0)
    assert f.maker._linked
    f.free()
    assert not f.maker._linked
    assert float(f(2.0, 1.0)) == 21.0


def test_jax_fn_is_pure_and_composes_with_vmap_and_grad():
    x = gt.dvector("x")
    w = g.shared(np.float64(3.0), name="w")
    f = g.function([x], gt.sum(x * x) * w, updates=[(w, w + 1)])
    out, new_w = f.jax_fn(jnp.array([1.0, 2.0]), jnp.float64(3.0))
    assert float(out) == 15.0 and float(new_w) == 4.0
    assert float(w.get_value()) == 3.0  # nothing written, nothing donated
    batched = jax.vmap(lambda v: f.jax_fn(v, jnp.float64(3.0))[0])(jnp.ones((4, 2)))
    np.testing.assert_allclose(np.asarray(batched), np.full(4, 6.0))
    grad = jax.grad(lambda v: f.jax_fn(v, jnp.float64(3.0))[0])(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(grad), [6.0, 12.0])


def test_lower_gives_hlo_text_and_cost_analysis():
    x = gt.dvector("x")
    f = g.function([x], gt.exp(x) * 2)
    lowered = f.lower(np.zeros(8))
    assert "exponential" in lowered.as_text()
    cost = lowered.compile().cost_analysis()
    assert cost is not None


def test_a_call_runs_exactly_one_jitted_computation(monkeypatch):
    x = gt.dvector("x")
    acc = g.shared(np.float64(0.0), name="acc")
    f = g.function([x], gt.tanh(x) + gt.exp(x), updates=[(acc, acc + 1)])
    linked = f.maker.linked()
    calls = []
    real = linked.call
    monkeypatch.setattr(linked, "call", lambda *a: calls.append(1) or real(*a))
    for k in range(20):
        f(np.full(3, float(k)))
    assert len(calls) == 20 and linked.trace_count == 1 and linked.compile_count == 1
    f(np.zeros(5))  # a new shape: one more trace
    assert linked.trace_count == 2 and linked.compile_count == 2
    assert isinstance(linked, JaxCompiled) and isinstance(linked, Compiled)


def test_inputs_deciding_shapes_are_static_and_compiled_once_per_value():
    x = gt.dvector("x")
    shape = gt.lvector("shape")
    f = g.function([x, shape], gt.reshape(x, shape, ndim=2))
    assert f(np.arange(6.0), [2, 3]).shape == (2, 3)
    assert f(np.arange(6.0), np.array([3, 2])).shape == (3, 2)
    assert f(np.arange(6.0), [2, 3]).shape == (2, 3)
    assert f.maker.linked().static_argnums == (1,) and f.maker.linked().trace_count == 2
    assert f.jax_fn(jnp.arange(6.0), np.array([1, 6]))[0].shape == (1, 6)


def test_function_takes_trust_input_as_pytensor_3():
    x = gt.dvector("x")
    f = g.function([x], x * 2, trust_input=True)
    assert f.trust_input is True
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [2.0, 4.0])
    assert g.function([x], x * 2).trust_input is False
