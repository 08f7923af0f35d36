"""Run-time index checks (graph2jax/linker/checks.py): IndexError as numpy, nothing changed after."""

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.mode import Mode

X = np.arange(3.0)
XI = np.arange(3, dtype="int32")
M = np.arange(12.0).reshape(3, 4)


@pytest.fixture(scope="module")
def forms():
    """Each indexing form with a run-time index ``i`` (a scalar) or ``iv`` (a vector)."""
    x, xi, m = gt.dvector("x"), gt.ivector("xi"), gt.dmatrix("m")
    i, iv = gt.lscalar("i"), gt.lvector("iv")
    cases = {
        "int": ([x, i], x[i]),
        "int_of_ints": ([xi, i], xi[i]),
        "int_then_slice": ([m, i], m[i, 1:3]),
        "slice_then_int": ([m, i], m[:, i]),
        "vector": ([x, iv], x[iv]),
        "take": ([m, iv], gt.take(m, iv, axis=1)),
        "stacked": ([x, i], x[gt.stack([i, 0])]),
        "set": ([x, i], gt.set_subtensor(x[i], 9.0)),
        "inc": ([x, iv], gt.inc_subtensor(x[iv], 9.0)),
    }
    return {name: g.function(ins, out) for name, (ins, out) in cases.items()}


CALLS = {  # form: (in-range arguments, out-of-range arguments, numpy's result in range)
    "int": ((X, -3), (X, 3), X[-3]),
    "int_of_ints": ((XI, 2), (XI, -4), XI[2]),
    "int_then_slice": ((M, 1), (M, 3), M[1, 1:3]),
    "slice_then_int": ((M, 3), (M, 4), M[:, 3]),
    "vector": ((X, [2, 0]), (X, [0, 7]), X[[2, 0]]),
    "take": ((M, [3, -1]), (M, [4]), np.take(M, [3, -1], axis=1)),
    "stacked": ((X, 1), (X, 5), X[[1, 0]]),
    "set": ((X, -1), (X, 3), np.array([0.0, 1.0, 9.0])),
    "inc": ((X, [0, 0]), (X, [0, -4]), np.array([18.0, 1.0, 2.0])),
}


@pytest.mark.parametrize("form", sorted(CALLS))
def test_out_of_range_run_time_index_raises_index_error(forms, form):
    good, bad, expected = CALLS[form]
    f = forms[form]
    np.testing.assert_array_equal(f(*good), expected)
    with pytest.raises(IndexError, match="out of bounds for axis .* with size"):
        f(*bad)
    np.testing.assert_array_equal(f(*good), expected)  # the function still works after


@pytest.mark.parametrize("form", ["int", "vector", "set", "inc"])
def test_numpy_mode_raises_numpy_index_error(form):
    x, i, iv = gt.dvector("x"), gt.lscalar("i"), gt.lvector("iv")
    index = iv if form in ("vector", "inc") else i
    out = {
        "int": x[i],
        "vector": x[iv],
        "set": gt.set_subtensor(x[i], 1.0),
        "inc": gt.inc_subtensor(x[iv], 1.0),
    }[form]
    bad = [5] if index is iv else 5
    with pytest.raises(IndexError):
        g.function([x, index], out, mode="NUMPY")(X, bad)


def test_error_names_the_node_the_index_and_the_length(forms):
    for _ in range(2):  # the first call and the fast path after it
        with pytest.raises(IndexError) as info:
            forms["int"](X, 10)
        assert type(info.value) is IndexError  # numpy's class, not an internal subclass
    message = str(info.value)
    assert "index 10" in message and "size 3" in message and "Subtensor" in message


def test_failed_call_changes_no_shared_variable():
    """Donated or not, every updated buffer keeps its value, and later calls still work."""
    start = np.arange(8.0).reshape(4, 2)
    emb = g.shared(start.copy(), name="emb")
    count = g.shared(np.int64(0), name="count")
    idx = gt.lvector("idx")
    loss = emb[idx].sum()
    step = g.function(
        [idx],
        loss,
        updates=[(emb, emb - 0.5 * g.grad(loss, emb)), (count, count + 1)],
    )
    inplace = g.function([idx], [], updates=[(emb, gt.inc_subtensor(emb[idx], 1.0))])
    for f in (step, inplace):
        with pytest.raises(IndexError, match="index 4"):
            f([1, 4])
        np.testing.assert_array_equal(emb.get_value(), start)
        assert count.get_value() == 0
    step([1, 1])
    expected = start.copy()
    expected[1] -= 1.0
    np.testing.assert_array_equal(emb.get_value(), expected)
    assert count.get_value() == 1


def test_gradient_through_checked_indexing():
    x, iv = gt.dvector("x"), gt.lvector("iv")
    f = g.function([x, iv], g.grad((x[iv] ** 2).sum(), x))
    np.testing.assert_array_equal(f(X, [2, 2, 0]), [0.0, 0.0, 8.0])
    with pytest.raises(IndexError):
        f(X, [3])


def test_flag_off_gives_jax_behaviour():
    """Reads clamp the index into range, writes drop the out-of-range update (no error)."""
    x, i = gt.dvector("x"), gt.lscalar("i")
    outs = [x[i], gt.set_subtensor(x[i], 9.0), gt.inc_subtensor(x[gt.stack([i, 0])], 1.0)]
    with g.config.change_flags(check_index_bounds=False):
        f = g.function([x, i], outs)
    by_mode = g.function([x, i], outs, mode=Mode(check_index_bounds=False))
    for h in (f, by_mode):
        read, written, added = h(X, 10)
        assert read == X[-1]
        np.testing.assert_array_equal(written, X)
        np.testing.assert_array_equal(added, [1.0, 1.0, 2.0])
    with pytest.raises(IndexError):
        g.function([x, i], outs, mode=Mode(check_index_bounds=True))(X, 10)


def test_unchecked_graph_has_no_flag():
    """A graph without a run-time index keeps the single plain jitted call."""
    x = gt.dvector("x")
    assert not g.function([x], x[1:] * 2).maker.linked().checked
    assert not g.function([x], x[0]).maker.linked().checked


def test_jax_fn_returns_the_outputs_only():
    x, i = gt.dvector("x"), gt.lscalar("i")
    f = g.function([x, i], x[i] * 2)
    (out,) = f.jax_fn(X, 1)
    assert out == 2.0
