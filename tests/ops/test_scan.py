"""scan: forward loops (sequences, taps, states, n_steps, go_backwards, until, shared updates)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.scan import until
from tests.helpers import compare_jax_and_numpy

F64 = "float64"


def zero(dtype: str = F64) -> gt.TensorVariable:
    return gt.constant(0.0, dtype=dtype)


def test_scan_package_is_callable_and_has_pytensor_paths():
    import graph2jax.scan.basic
    import graph2jax.scan.utils

    assert graph2jax.scan.basic.scan is g.scan.scan
    assert graph2jax.scan.utils.until is until
    assert g.map is g.scan.map
    x = gt.dvector("x")
    out, updates = g.scan(lambda v: v * 2, sequences=x)
    assert updates == {}
    np.testing.assert_allclose(g.function([x], out)(np.arange(3.0)), [0.0, 2.0, 4.0])


def test_cumulative_sum_and_reduce_forms():
    x = gt.dvector("x")
    cumsum, _ = g.scan(lambda v, acc: acc + v, sequences=x, outputs_info=zero())
    total, _ = g.scan.reduce(lambda v, acc: acc + v, x, zero())
    right, _ = g.scan.foldr(lambda v, acc: acc * 10 + v, x, zero())
    left, _ = g.scan.foldl(lambda v, acc: acc * 10 + v, x, zero())
    values = np.array([1.0, 2.0, 3.0])
    compare_jax_and_numpy(
        [x], [cumsum, total, left, right], [values], [np.cumsum(values), 6.0, 123.0, 321.0]
    )


def test_power_with_symbolic_n_steps_compiles_once_per_value():
    a, k = gt.dvector("a"), gt.iscalar("k")
    powers, _ = g.scan(
        lambda prior, base: prior * base,
        outputs_info=gt.ones_like(a),
        non_sequences=a,
        n_steps=k,
    )
    f = g.function([a, k], powers[-1])
    base = np.array([1.0, 2.0, 3.0])
    for n in (1, 4, 4, 7):
        np.testing.assert_allclose(f(base, n), base**n)
    assert f.maker.linked().compile_count == 3
    np.testing.assert_allclose(g.function([a, k], powers[-1], mode="NUMPY")(base, 4), base**4)


def test_fibonacci_with_two_taps_drops_the_initial_values():
    n = gt.iscalar("n")
    fib, _ = g.scan(
        lambda f2, f1: f2 + f1,
        outputs_info=dict(initial=gt.as_tensor(np.array([0, 1], dtype="int64")), taps=[-2, -1]),
        n_steps=n,
    )
    f = g.function([n], fib)
    np.testing.assert_array_equal(f(8), [1, 2, 3, 5, 8, 13, 21, 34])
    assert f(8).dtype == np.int64


def test_sequence_taps_read_shifted_rows():
    x = gt.dvector("x")
    out, _ = g.scan(
        lambda prev, cur, nxt: prev - 2 * cur + nxt, sequences=dict(input=x, taps=[-1, 0, 1])
    )
    values = np.array([1.0, 4.0, 9.0, 16.0, 25.0])
    compare_jax_and_numpy([x], out, [values], np.diff(values, 2))


def test_sequences_arange_and_several_outputs():
    n = gt.iscalar("n")
    seq = gt.arange(n)
    (squares, running), _ = g.scan(
        lambda i, acc: (i * i, acc + i),
        sequences=seq,
        outputs_info=[None, gt.constant(0, dtype="int64")],
    )
    f = g.function([n], [squares, running])
    sq, run = f(5)
    np.testing.assert_array_equal(sq, [0, 1, 4, 9, 16])
    np.testing.assert_array_equal(run, [0, 1, 3, 6, 10])


def test_go_backwards_and_n_steps_cut_the_sequences():
    x = gt.dvector("x")
    back, _ = g.scan(
        lambda v, acc: acc * 10 + v, sequences=x, outputs_info=zero(), go_backwards=True
    )
    first_two, _ = g.scan(lambda v: v + 1, sequences=x, n_steps=2)
    compare_jax_and_numpy(
        [x], [back, first_two], [np.array([1.0, 2.0, 3.0])], [[3.0, 32.0, 321.0], [2.0, 3.0]]
    )


def test_matrix_states_and_free_variables_read_by_the_step():
    w = gt.dmatrix("w")
    x = gt.dmatrix("x")
    h0 = gt.dvector("h0")
    hs, _ = g.scan(lambda xt, h: gt.tanh(gt.dot(w, h) + xt), sequences=x, outputs_info=h0)
    rng = np.random.default_rng(0)
    wv, xv, hv = rng.normal(size=(3, 3)), rng.normal(size=(4, 3)), rng.normal(size=3)
    expected, h = [], hv
    for row in xv:
        h = np.tanh(wv @ h + row)
        expected.append(h)
    compare_jax_and_numpy([w, x, h0], hs, [wv, xv, hv], np.array(expected))


def test_until_stops_after_the_first_true_condition():
    x0 = gt.dscalar("x0")
    limit = gt.iscalar("limit")
    values, _ = g.scan(
        lambda prev: (prev * 2, until(prev * 2 > 50)), outputs_info=x0, n_steps=limit
    )
    f = g.function([x0, limit], values)
    np.testing.assert_allclose(f(1.0, 100), [2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
    np.testing.assert_allclose(f(1.0, 3), [2.0, 4.0, 8.0])
    np.testing.assert_allclose(
        g.function([x0, limit], values, mode="NUMPY")(3.0, 100), [6, 12, 24, 48, 96]
    )


def test_until_with_updates_and_over_a_sequence():
    x = gt.dvector("x")
    found, _ = g.scan(lambda v: (v, until(v < 0)), sequences=x)
    f = g.function([x], found)
    np.testing.assert_allclose(f(np.array([3.0, 1.0, -2.0, 5.0])), [3.0, 1.0, -2.0])
    np.testing.assert_allclose(f(np.array([3.0, 1.0])), [3.0, 1.0])


def test_shared_variable_updated_inside_the_step():
    counter = g.shared(np.int64(0), name="counter")
    x = gt.dvector("x")
    out, updates = g.scan(lambda v: (v * counter, {counter: counter + 1}), sequences=x)
    assert list(updates) == [counter]
    f = g.function([x], out, updates=updates)
    np.testing.assert_allclose(f(np.array([1.0, 1.0, 1.0])), [0.0, 1.0, 2.0])
    assert counter.get_value() == 3
    np.testing.assert_allclose(f(np.array([2.0])), [6.0])
    assert counter.get_value() == 4


def test_shared_variable_read_inside_the_step_is_a_non_sequence():
    scale = g.shared(np.array(2.0), name="scale")
    x = gt.dvector("x")
    out, updates = g.scan(lambda v: v * scale, sequences=x)
    f = g.function([x], out)
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [2.0, 4.0])
    scale.set_value(np.array(3.0))
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [3.0, 6.0])
    with pytest.raises(ValueError, match="not passed"):
        g.scan(lambda v: v * scale, sequences=x, strict=True)


def test_debugprint_shows_the_body_under_the_node():
    x = gt.dvector("x")
    out, _ = g.scan(lambda v, acc: acc + v, sequences=x, outputs_info=zero(), name="cumsum")
    text = g.dprint(out, file="str")
    assert "Inner graphs:" in text and "Scan{cumsum" in text and "add" in text


def test_return_list_and_return_updates():
    x = gt.dvector("x")
    outs, _ = g.scan(lambda v: v, sequences=x, return_list=True)
    assert isinstance(outs, list) and len(outs) == 1
    only = g.scan(lambda v: v, sequences=x, return_updates=False)
    assert only.ndim == 1
    counter = g.shared(np.int64(0))
    with pytest.raises(ValueError, match="return_updates=False"):
        g.scan(lambda v: (v, {counter: counter + 1}), sequences=x, return_updates=False)


def test_bad_steps_raise_at_graph_build_naming_the_variable():
    x = gt.dvector("x")
    h0 = gt.fscalar("h0")
    with pytest.raises(ValueError, match=r"h0.*dtype float32.*float64"):
        g.scan(lambda v, h: h + v, sequences=x, outputs_info=h0)
    with pytest.raises(ValueError, match=r"returned 2 outputs but outputs_info has 1"):
        g.scan(lambda v, h: (h + v, h), sequences=x, outputs_info=gt.dscalar("s"))
    with pytest.raises(ValueError, match=r"ndim"):
        g.scan(lambda v, h: h + x, sequences=x, outputs_info=gt.dscalar("s"))
    with pytest.raises(ValueError, match=r"taps .*must be negative"):
        g.scan(lambda h: h, outputs_info=dict(initial=gt.dvector("i"), taps=[0]), n_steps=3)
    with pytest.raises(ValueError, match="n_steps"):
        g.scan(lambda: gt.constant(1.0))
    with pytest.raises(ValueError, match="may return only variables"):
        g.scan(lambda v: 1.0, sequences=x)


def test_far_taps_and_a_sequence_shorter_than_its_taps_gives_no_steps():
    x = gt.dvector("x")
    out, _ = g.scan(lambda prev, nxt: nxt - prev, sequences=dict(input=x, taps=[-2, 2]))
    f = g.function([x], out)
    np.testing.assert_allclose(f(np.arange(6.0) ** 2), [16.0, 24.0])
    assert f(np.arange(4.0)).shape == (0,)


def test_shared_update_after_zero_steps_keeps_the_value():
    total = g.shared(np.array(5.0), name="total")
    x = gt.dvector("x")
    _, updates = g.scan(lambda v: {total: total + v}, sequences=x)
    f = g.function([x], [], updates=updates)
    f(np.zeros(0))
    assert float(total.get_value()) == 5.0
    f(np.array([1.0, 2.0]))
    assert float(total.get_value()) == 8.0


def test_a_tap_outside_a_sequence_of_known_length_fails_at_build():
    x = gt.TensorType("float64", (3,))("x")
    with pytest.raises(ValueError, match=r"x.*3 rows.*taps \[-2, 1\].*at least 4"):
        g.scan(lambda a, b: a + b, sequences=dict(input=x, taps=[-2, 1]))


def test_n_steps_beyond_the_sequence_fails_naming_it_or_stops_at_its_end():
    x = gt.dvector("x")
    n = gt.iscalar("n")
    out, _ = g.scan(lambda v: v * 2, sequences=x, n_steps=n)
    f_numpy = g.function([x, n], out, mode="NUMPY")
    np.testing.assert_allclose(f_numpy(np.arange(3.0), 2), [0.0, 2.0])
    with pytest.raises(ValueError, match=r"sequence .* has 3 rows for 5 steps"):
        f_numpy(np.arange(3.0), 5)
    # compiled once per capacity, a symbolic n_steps is read while the loop runs: a run-time
    # check raises numpy's error after the call, before the update is written back
    total = g.shared(1.0, name="total")
    f = g.function([x, n], out, updates=[(total, total + out.sum())])
    np.testing.assert_allclose(f(np.arange(3.0), 2), [0.0, 2.0])
    assert total.get_value() == 3.0
    for steps, message in [(5, r"sequence .* has 3 rows for 5 steps"), (-1, "n_steps is -1")]:
        with pytest.raises(ValueError, match=message):
            f(np.arange(3.0), steps)
        assert total.get_value() == 3.0
    assert f.maker.linked().static is None  # still the loop compiled per capacity
    # with the checks off, JAX's behaviour: the loop stops at the sequence's end (docs/scan.rst)
    unchecked = g.function([x, n], out, mode=g.Mode(check_index_bounds=False))
    np.testing.assert_allclose(unchecked(np.arange(3.0), 5), [0.0, 2.0, 4.0])


def test_infer_shape_of_traces_and_final_values():
    from tests.helpers import check_infer_shape

    x, h0 = gt.dmatrix("x"), gt.dvector("h0")
    total = g.shared(np.zeros(2), name="total")
    (hs, doubled), _ = g.scan(lambda v, h: [h + v, v * 2], sequences=x, outputs_info=[h0, None])
    _, updates = g.scan(lambda v: {total: total + v}, sequences=x)
    check_infer_shape([x, h0], [hs, doubled, updates[total]], [np.ones((4, 2)), np.zeros(2)])


def test_a_compiled_scan_pickles_and_runs():
    import pickle

    x = gt.dvector("x")
    out, _ = g.scan(lambda v, acc: acc + v, sequences=x, outputs_info=zero())
    f = pickle.loads(pickle.dumps(g.function([x], out)))
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), [1.0, 3.0])


def test_until_reading_and_updating_shared_variables():
    limit = g.shared(np.array(50.0), name="limit")
    steps = g.shared(np.int64(0), name="steps")
    x0 = gt.dscalar("x0")
    values, updates = g.scan(
        lambda p: (p * 2, {steps: steps + 1}, until(p * 2 > limit)), outputs_info=x0, n_steps=100
    )
    f = g.function([x0], values, updates=updates)
    np.testing.assert_allclose(f(1.0), [2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
    assert steps.get_value() == 6
    limit.set_value(np.array(10.0))  # a new value of a static input: compiled again
    np.testing.assert_allclose(f(1.0), [2.0, 4.0, 8.0, 16.0])
    assert steps.get_value() == 10


def test_until_with_outputs_larger_than_the_fold_limit():
    x0 = gt.dvector("x0")
    values, _ = g.scan(lambda p: (p + 1, until(p[0] >= 9)), outputs_info=x0, n_steps=100)
    f = g.function([x0], values)
    got = f(np.zeros(1000))  # 10 x 1000 values: more than config.trace_fold_limit
    assert got.shape == (10, 1000)
    np.testing.assert_allclose(got[:, 0], np.arange(1.0, 11.0))


_LINEAR_X = gt.dvector("x")
_LINEAR_A = gt.dscalar("a")
_LINEAR, _ = g.scan(
    lambda v, h, a: a * h + v, sequences=_LINEAR_X, outputs_info=zero(), non_sequences=_LINEAR_A
)
_LINEAR_F = g.function([_LINEAR_X, _LINEAR_A], _LINEAR)


@settings(max_examples=10, deadline=None)
@given(
    st.lists(st.floats(-10, 10), min_size=6, max_size=6),  # one length: one compilation
    st.floats(-1.5, 1.5),
)
def test_linear_recurrence_matches_a_python_loop(values, a):
    h, expected = 0.0, []
    for v in values:
        h = a * h + v
        expected.append(h)
    got = _LINEAR_F(np.array(values, dtype="float64"), a)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
