"""Run-time index checks inside inner graphs: scan and until steps, ifelse branches, vectorized cores.

Each body's reports leave its ``lax.scan`` / ``lax.while_loop`` / ``lax.cond`` /
``jax.vmap`` as one flag (graph2jax/linker/checks.py ``reporting``), so an
out-of-range index there raises numpy's ``IndexError`` after the call, as in the
outer graph.
"""

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.mode import Mode
from graph2jax.graph.replace import vectorize_graph
from graph2jax.ifelse import ifelse
from graph2jax.scan import until

V = np.array([10.0, 20.0, 30.0])
OUT_OF_RANGE = "index .* out of bounds for axis 0 .* with size 3"


@pytest.fixture(scope="module")
def reads():
    """``v[i]`` for each ``i`` of a sequence, checked, unchecked and in the NUMPY mode."""
    v, idx = gt.dvector("v"), gt.lvector("idx")
    out, _ = g.scan(lambda i, v: v[i], sequences=idx, non_sequences=v)
    return {
        "checked": g.function([v, idx], out),
        "unchecked": g.function([v, idx], out, mode=Mode(check_index_bounds=False)),
        "numpy": g.function([v, idx], out, mode="NUMPY"),
    }


def test_index_in_a_scan_step_raises_numpy_index_error(reads):
    f = reads["checked"]
    assert f.maker.linked().checked  # the body's index makes the outer graph checked
    np.testing.assert_array_equal(f(V, [2, -3, 1]), V[[2, -3, 1]])
    for bad in ([0, 3], [-4, 1]):
        with pytest.raises(IndexError, match=OUT_OF_RANGE) as info:
            f(V, bad)
        assert type(info.value) is IndexError
    message = str(info.value)
    assert "index -4" in message and "Subtensor" in message and "Scan" in message
    np.testing.assert_array_equal(f(V, [1, 1]), [20.0, 20.0])  # still works after


def test_numpy_mode_scan_raises_naming_the_node(reads):
    np.testing.assert_array_equal(reads["numpy"](V, [2, 0]), V[[2, 0]])
    with pytest.raises(IndexError, match=OUT_OF_RANGE) as info:
        reads["numpy"](V, [0, 3])
    assert any("Subtensor" in note for note in info.value.__notes__)


def test_flag_off_gives_jax_clamping_inside_the_body(reads):
    assert not reads["unchecked"].maker.linked().checked
    np.testing.assert_array_equal(reads["unchecked"](V, [0, 3, 7]), [10.0, 30.0, 30.0])


def test_body_without_run_time_index_leaves_the_graph_unchecked():
    x = gt.dvector("x")
    out, _ = g.scan(lambda r, acc: acc + r[0], sequences=x.reshape((3, 1)), outputs_info=x[0])
    assert not g.function([x], out).maker.linked().checked


@pytest.mark.parametrize("kind", ["set", "inc"])
def test_write_target_out_of_range_in_a_scan_state(kind):
    x0, idx = gt.dvector("x0"), gt.lvector("idx")
    write = gt.set_subtensor if kind == "set" else gt.inc_subtensor
    out, _ = g.scan(lambda i, x: write(x[i], 1.0), sequences=idx, outputs_info=x0)
    f = g.function([x0, idx], out[-1])
    expected = V.copy()
    for i in (2, -1, 0):
        expected[i] = 1.0 if kind == "set" else expected[i] + 1.0
    np.testing.assert_array_equal(f(V, [2, -1, 0]), expected)
    with pytest.raises(IndexError, match=OUT_OF_RANGE):
        f(V, [0, 5])


def test_failed_scan_call_changes_no_shared_variable():
    w = g.shared(V.copy(), name="w")
    count = g.shared(np.int64(0), name="count")
    idx = gt.lvector("idx")
    rows, _ = g.scan(lambda i, w: w[i] * 2.0, sequences=idx, non_sequences=w)
    bumped, _ = g.scan(lambda i, x: gt.inc_subtensor(x[i], 1.0), sequences=idx, outputs_info=w)
    step = g.function([idx], rows.sum(), updates=[(w, bumped[-1]), (count, count + 1)])
    with pytest.raises(IndexError, match="index 3"):
        step([1, 3])
    np.testing.assert_array_equal(w.get_value(), V)
    assert count.get_value() == 0
    assert step([1, 1]) == 80.0
    np.testing.assert_array_equal(w.get_value(), [10.0, 22.0, 30.0])
    assert count.get_value() == 1


def test_only_the_taken_ifelse_branch_is_checked():
    """As the lazy ifelse (and the NUMPY mode): the branch not taken may hold any index."""
    v, c, i, j = gt.dvector("v"), gt.lscalar("c"), gt.lscalar("i"), gt.lscalar("j")
    out = ifelse(c, v[i], v[j] * 2.0)
    for mode in ("JAX", "NUMPY"):
        f = g.function([v, c, i, j], out, mode=mode)
        assert f(V, 1, 2, 9) == 30.0
        assert f(V, 0, 9, -3) == 20.0
        with pytest.raises(IndexError, match="index 9"):
            f(V, 1, 9, 0)
        with pytest.raises(IndexError, match="index -4"):
            f(V, 0, 0, -4)


def test_ifelse_inside_a_scan_step():
    v, idx = gt.dvector("v"), gt.lvector("idx")
    out, _ = g.scan(
        lambda i, v: ifelse(gt.ge(i, 0), v[i], v[0] * 0.0), sequences=idx, non_sequences=v
    )
    f = g.function([v, idx], out)
    np.testing.assert_array_equal(f(V, [2, -7, 0]), [30.0, 0.0, 10.0])
    with pytest.raises(IndexError, match="index 3"):
        f(V, [-7, 3])


def test_index_in_an_until_loop():
    """Only the steps run are checked: the loop reads ``v[k]`` until it exceeds ``t``."""
    v, t, n = gt.dvector("v"), gt.dscalar("t"), gt.lscalar("n")
    ks, _ = g.scan(
        lambda k, v, t: (k + 1, until(v[k] > t)),
        outputs_info=gt.constant(np.int64(0)),
        non_sequences=[v, t],
        n_steps=n,
    )
    f = g.function([v, t, n], ks)
    np.testing.assert_array_equal(f(V, 15.0, 10), [1, 2])
    np.testing.assert_array_equal(f(V, 35.0, 3), [1, 2, 3])  # v[3] is never read
    with pytest.raises(IndexError, match="index 3"):
        f(V, 35.0, 10)
    assert f.maker.linked().static is None, "the loop ran compiled (lax.while_loop)"
    unchecked = g.function([v, t, n], ks, mode=Mode(check_index_bounds=False))
    np.testing.assert_array_equal(unchecked(V, 35.0, 5), [1, 2, 3, 4, 5])  # v[k] clamps


def test_index_in_a_scan_of_symbolic_length():
    v, n, idx = gt.dvector("v"), gt.lscalar("n"), gt.lvector("idx")
    out, _ = g.scan(lambda i, v: v[i], sequences=idx, non_sequences=v, n_steps=n)
    f = g.function([v, idx, n], out)
    np.testing.assert_array_equal(f(V, [2, 0, 5], 2), [30.0, 10.0])  # step 3 does not run
    with pytest.raises(IndexError, match="index 5"):
        f(V, [2, 0, 5], 3)
    with pytest.raises(ValueError, match="3 rows for 4 steps"):  # the loop's own check
        f(V, [2, 0, 5], 4)
    assert f.maker.linked().static is None, "the loop ran compiled (lax.while_loop)"


def test_gradient_of_a_checked_scan():
    v, idx = gt.dvector("v"), gt.lvector("idx")
    out, _ = g.scan(lambda i, v: v[i] ** 2, sequences=idx, non_sequences=v)
    f = g.function([v, idx], g.grad(out.sum(), v))
    np.testing.assert_array_equal(f(V, [2, 2, 0]), [20.0, 0.0, 120.0])
    with pytest.raises(IndexError, match="index 3"):
        f(V, [0, 3])


def test_index_in_a_vectorized_core():
    v, i, iv = gt.dvector("v"), gt.lscalar("i"), gt.lvector("iv")
    batched = vectorize_graph(v[i], {i: iv})
    f = g.function([v, iv], batched)
    np.testing.assert_array_equal(f(V, [2, -1]), [30.0, 30.0])
    with pytest.raises(IndexError, match="index 5"):
        f(V, [0, 5])
    # with another checked index in the graph, the core's checks do not leak out of the vmap
    both = g.function([v, iv, i], [batched, v[i]])
    np.testing.assert_array_equal(both(V, [1, 0], 2)[0], [20.0, 10.0])
    with pytest.raises(IndexError, match="index 4"):
        both(V, [4, 0], 2)
