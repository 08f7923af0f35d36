"""PyTensor's modes, linkers, profiles and call-time error classes, as a ported script meets them."""

from __future__ import annotations

import io

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.mode import Mode, get_default_mode, get_mode
from graph2jax.graph.errors import ShapeMismatchError
from graph2jax.link.basic import PerformLinker
from graph2jax.link.c.basic import CLinker, OpWiseCLinker
from graph2jax.link.jax import JAXLinker
from graph2jax.link.vm import VMLinker

X = gt.dvector("x")
OUT = gt.exp(X) * 2


@pytest.mark.parametrize(
    ("linker", "backend"),
    [
        ("cvm", "jax"),
        ("vm", "jax"),
        ("c", "jax"),
        ("c|py", "jax"),
        ("cvm_nogc", "jax"),
        ("vm_nogc", "jax"),
        ("py", "numpy"),
        (VMLinker(allow_gc=True, use_cloop=False, c_thunks=False), "jax"),
        (CLinker(), "jax"),
        (OpWiseCLinker(), "jax"),
        (JAXLinker(), "jax"),
        (PerformLinker(), "numpy"),
    ],
)
def test_pytensor_linkers_are_aliases(linker, backend):
    mode = Mode(linker=linker, optimizer="fast_compile")
    assert mode.linker == backend and mode.provided_linker is linker
    f = g.function([X], OUT, mode=mode)
    np.testing.assert_allclose(f(np.array([0.0, 1.0])), 2 * np.exp([0.0, 1.0]), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "backend"),
    [
        ("FAST_RUN", "jax"),
        ("fast_run", "jax"),
        ("FAST_COMPILE", "jax"),
        ("CVM", "jax"),
        ("C", "jax"),
        ("VM", "jax"),
        ("CVM_NOGC", "jax"),
        ("DebugMode", "debug"),
        ("DEBUG_MODE", "debug"),
    ],
)
def test_pytensor_mode_names_are_aliases(name, backend):
    assert get_mode(name).linker == backend
    assert float(g.function([X], OUT.sum(), mode=name)(np.zeros(2))) == 4.0


def test_linkers_function_cannot_use_are_rejected_clearly():
    with pytest.raises(TypeError, match="linker name or a linker object"):
        Mode(linker=object())
    with pytest.raises(ValueError, match="unknown linker"):
        Mode(linker="numba")
    with pytest.raises(ValueError, match="unknown mode"):
        get_mode("NUMBA")
    mode = Mode(linker=VMLinker(callback=print))
    with pytest.raises(NotImplementedError, match="callback"):
        g.function([X], OUT, mode=mode)
    assert get_default_mode() == get_mode(g.config.mode)


def test_profile_stats_has_pytensor_attributes_and_summary():
    f = g.function([X], OUT, profile=True, name="prof")
    for _ in range(3):
        f(np.ones(2))
    stats = f.profile
    assert stats.fct_callcount == stats.call_count == 3
    assert stats.fct_call_time == stats.call_time == stats.vm_call_time > 0
    assert stats.linker_time == pytest.approx(
        stats.trace_time + stats.lowering_time + stats.xla_compile_time
    )
    assert stats.linker_time > 0 and stats.compile_time >= stats.linker_time
    assert stats.optimizer_time == stats.rewriting_time == stats.rewrite_time
    assert stats.message == "prof"
    out = io.StringIO()
    stats.summary(file=out, n_ops_to_print=5, n_apply_to_print=5)
    assert "Function profile: prof" in out.getvalue() and "calls: 3" in out.getvalue()
    named = g.ProfileStats(message="by message", atexit_print=False)
    assert named.name == "by message" and named.fct_callcount == 0


def test_shape_errors_at_call_time_are_value_errors_and_keep_the_state():
    a, b = gt.dmatrices("a", "b")
    w = g.shared(np.zeros(2), name="w")
    dot = g.function([a, b], gt.dot(a, b), updates={w: w + 1})
    with pytest.raises(ValueError, match="dot_general"):
        dot(np.ones((2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(w.get_value(), np.zeros(2))
    np.testing.assert_array_equal(dot(np.eye(2), np.ones((2, 1))), np.ones((2, 1)))
    reshape = g.function([X], X.reshape((3, 3)))
    with pytest.raises(ValueError, match="reshape"):
        reshape(np.ones(4))
    add = g.function([a], a + 1, updates={w: w + 1})
    with pytest.raises(ValueError, match="inhomogeneous"):
        add([[1.0, 2.0], [3.0]])
    np.testing.assert_array_equal(w.get_value(), np.ones(2))
    # code written for JAX's TypeError still catches it
    assert issubclass(ShapeMismatchError, TypeError)


def test_text_for_a_float_input_is_a_type_error_and_keeps_the_state():
    w = g.shared(np.zeros(2), name="w")
    f = g.function([X], X * 2, updates={w: w + X})
    with pytest.raises(TypeError, match="bad argument 0") as info:
        f("abc")
    assert not isinstance(info.value, ValueError)
    np.testing.assert_array_equal(w.get_value(), np.zeros(2))


def test_an_overflow_found_by_the_filter_stays_an_overflow_error(monkeypatch):
    from graph2jax.types.tensor_type import TensorType

    def overflowing(self, data, strict=False, allow_downcast=None):
        raise OverflowError("Python integer 312 out of bounds for int8")

    b = gt.bvector("b")
    f = g.function([b], b * 2)
    monkeypatch.setattr(TensorType, "filter", overflowing)
    with pytest.raises(OverflowError, match="bad argument 0 .* out of bounds"):
        f([312])
