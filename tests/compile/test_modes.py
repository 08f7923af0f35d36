"""Compilation modes: FAST_RUN, FAST_COMPILE, JAX, NUMPY, DebugMode and Mode objects."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.debugmode import BadThunkOutput, DebugModeError
from graph2jax.compile.mode import Mode, get_mode
from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "JAX", "NUMPY", "DebugMode"])
def test_every_mode_computes_the_same_values_and_updates(mode):
    x = gt.dvector("x")
    acc = g.shared(np.zeros(3), name="acc")
    out = gt.switch(x > 0, gt.log(x), gt.tanh(x)) * 2
    f = g.function([x], out, updates=[(acc, acc + gt.exp(x))], mode=mode)
    value = np.array([-1.0, 0.5, 2.0])
    got = f(value)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    expected = np.where(value > 0, np.log(np.abs(value)), np.tanh(value)) * 2
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(acc.get_value(), np.exp(value), rtol=1e-12)


def test_get_mode_and_the_default_from_config():
    assert get_mode("JAX") == get_mode("FAST_RUN")
    assert get_mode(None) == get_mode(g.config.mode)
    assert get_mode("NUMPY").linker == "numpy" and get_mode("DebugMode").linker == "debug"
    with g.config.change_flags(mode="NUMPY"):
        x = gt.dscalar("x")
        f = g.function([x], x + 1)
        assert f.maker.mode.linker == "numpy" and float(f(1.0)) == 2.0
    with pytest.raises(ValueError, match="unknown linker"):
        Mode(linker="numba")
    # PyTensor's linker names port: its python linker is our numpy one, the compiled ones jax
    assert Mode(linker="py").linker == "numpy" and Mode(linker="cvm").linker == "jax"


def test_mode_including_and_excluding():
    mode = Mode(optimizer="fast_run").including("a", "b").excluding("b", "c")
    assert mode.include == ("a",) and mode.exclude == ("b", "c")
    assert mode.including("c").exclude == ("b",)
    assert mode == Mode(optimizer="fast_run", include=("a",), exclude=("b", "c"))
    x = gt.dscalar("x")
    assert float(g.function([x], x * 2, mode=mode)(2.0)) == 4.0


class _WrongJax(Op):
    """A test op whose JAX implementation disagrees with its numpy reference."""

    __props__ = ()

    def make_node(self, x):
        x = gt.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1


@jax_funcify.register(_WrongJax)
def _jax_wrong(op, node):
    return lambda x: x + 2


def test_debug_mode_raises_naming_the_first_differing_node():
    x = gt.dvector("x")
    wrong = _WrongJax()(gt.exp(x))
    out = wrong * 3
    f = g.function([x], out, mode="DebugMode")
    with pytest.raises(BadThunkOutput) as info:
        f(np.zeros(2))
    err = info.value
    assert isinstance(err, DebugModeError)
    assert err.node.op == _WrongJax()
    np.testing.assert_allclose(err.reference, [2.0, 2.0])
    np.testing.assert_allclose(err.jax_value, [3.0, 3.0])
    assert "_WrongJax" in str(err) and "numpy" in str(err)
    # the other modes run it without complaint (each with its own implementation)
    np.testing.assert_allclose(g.function([x], out)(np.zeros(2)), [9.0, 9.0])
    np.testing.assert_allclose(g.function([x], out, mode="NUMPY")(np.zeros(2)), [6.0, 6.0])


def test_numpy_mode_has_no_jax_fn():
    x = gt.dscalar("x")
    f = g.function([x], x + 1, mode="NUMPY")
    with pytest.raises(TypeError, match="NUMPY|numpy"):
        f.jax_fn  # noqa: B018


def test_modes_select_rewrites_with_including_and_excluding():
    x = gt.dvector("x")
    out = gt.log(1 + x)

    def applied(mode):
        return [name for name, _ in g.function([x], out, mode=mode).maker.rewrites_applied]

    assert "log_of_one_plus" in applied("FAST_RUN")
    assert applied("FAST_COMPILE") == []
    assert "log_of_one_plus" not in applied(get_mode("FAST_RUN").excluding("stabilize"))
    assert "log_of_one_plus" in applied(get_mode("FAST_COMPILE").including("stabilize"))
    tiny = np.array([1e-20])
    assert g.function([x], out)(tiny)[0] == pytest.approx(1e-20)  # log1p keeps the precision


def test_monitor_mode_hooks_see_each_nodes_values_in_order():
    from graph2jax.compile import MonitorMode

    calls = []

    def pre(fgraph, i, node, fn):
        calls.append(("pre", i, str(node.op), [float(c[0]) for c in fn.inputs], fn.outputs[0][0]))

    def post(fgraph, i, node, fn):
        calls.append(("post", i, str(node.op), [float(c[0]) for c in fn.outputs]))

    x = gt.dscalar("x")
    mode = MonitorMode(pre_func=pre, post_func=post)
    f = g.function([x], gt.exp(x) + 1, mode=mode)
    assert float(f(0.0)) == 2.0
    assert calls == [
        ("pre", 0, "exp", [0.0], None),
        ("post", 0, "exp", [1.0]),
        ("pre", 1, "add", [1.0, 1.0], None),
        ("post", 1, "add", [2.0]),
    ]
    assert isinstance(mode.excluding("canonicalize"), MonitorMode)
    assert mode.excluding("canonicalize").post_func is post


def test_monitor_mode_finds_the_first_nan():
    from graph2jax.compile import MonitorMode

    first_nan = []

    def detect(fgraph, i, node, fn):
        if not first_nan and any(np.isnan(c[0]).any() for c in fn.outputs):
            first_nan.append(str(node.op))

    x = gt.dvector("x")
    f = g.function([x], gt.exp(gt.log(x) * 2), mode=MonitorMode(post_func=detect))
    f(np.array([-1.0, 1.0]))
    assert first_nan == ["log"]
