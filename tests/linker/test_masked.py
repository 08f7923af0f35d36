"""Masked selections as ragged values (graph2jax/linker/ragged.py, graph2jax/ops/ragged.py).

``x[mask]`` and ``nonzero(mask)`` with a mask computed from values: bounded by
the mask's size, computed in one jitted call per input shape whatever the
count, and staged (one compilation per count) when an op downstream has no rule.
"""

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.linker.compiled import BucketedCompiled
from graph2jax.linker.staging import StagedCompiled

RNG = np.random.default_rng(3)
VECTORS = [RNG.normal(size=n) for n in (1, 6, 9)] + [np.array([-1.0, -2.0, 0.5])]


@pytest.fixture(scope="module")
def x():
    return gt.dvector("x")


CASES = {  # name: (graph of x, numpy of x)
    "sum": (lambda x: x[x > 0].sum(), lambda v: v[v > 0].sum()),
    "mean": (lambda x: x[x > -0.5].mean(), lambda v: v[v > -0.5].mean()),
    "max": (lambda x: x[x > -0.5].max(), lambda v: v[v > -0.5].max()),
    "min_of_product": (lambda x: (x[x < 1] * 3).min(), lambda v: (v[v < 1] * 3).min()),
    "prod": (lambda x: x[x < 0].prod(), lambda v: v[v < 0].prod()),
    "count": (lambda x: x[x > 0].shape[0], lambda v: (v > 0).sum()),
    "rows": (lambda x: x[x > 0] * 2 + 1, lambda v: v[v > 0] * 2 + 1),
    "matrix_rows": (lambda x: gt.outer(x, x)[x > 0, 1:], lambda v: np.outer(v, v)[v > 0, 1:]),
    "matrix_mask": (
        lambda x: gt.outer(x, x)[gt.outer(x, x) > 0.1],
        lambda v: np.outer(v, v)[np.outer(v, v) > 0.1],
    ),
    "row_sums": (
        lambda x: gt.outer(x, x)[x > 0].sum(axis=0),
        lambda v: np.outer(v, v)[v > 0].sum(axis=0),
    ),
    "nested": (
        lambda x: x[x > -1][x[x > -1] < 0.5].sum(),
        lambda v: v[v > -1][v[v > -1] < 0.5].sum(),
    ),
    "with_reversed": (lambda x: x[x > 0] * x[x > 0][::-1], lambda v: v[v > 0] * v[v > 0][::-1]),
    "last_row": (lambda x: gt.concatenate([x[x > 0], x[:1]])[-1], lambda v: v[0]),
    "loop_over_selection": (
        lambda x: g.scan(lambda r: r * 2, sequences=x[x > -1])[0],
        lambda v: v[v > -1] * 2,
    ),
    "nonzero": (lambda x: gt.nonzero(x < 0)[0], lambda v: np.nonzero(v < 0)[0]),
    "nonzero_of_selection": (
        lambda x: gt.nonzero(x[x > -1] < 0)[0],
        lambda v: np.nonzero(v[v > -1] < 0)[0],
    ),
    "nonzero_matrix": (
        lambda x: gt.nonzero(gt.outer(x, x) > 0.1, return_matrix=True),
        lambda v: np.array(np.nonzero(np.outer(v, v) > 0.1)),
    ),
    "nonzero_values": (lambda x: gt.nonzero_values(x * (x > 0)), lambda v: v[v > 0]),
    "set_masked": (
        lambda x: gt.set_subtensor(x[x > 0], x[x > 0] * 3),
        lambda v: np.where(v > 0, v * 3, v),
    ),
    "gradient": (lambda x: g.grad((x[x > 0] ** 2).sum(), x), lambda v: 2 * v * (v > 0)),
}


EMPTY_TESTS = {"max": lambda v: v > -0.5, "min_of_product": lambda v: v < 1}


@pytest.mark.parametrize("name", sorted(CASES))
def test_masked_selection_matches_numpy_in_one_jitted_call(x, name):
    graph, reference = CASES[name]
    f = g.function([x], graph(x))
    f_numpy = g.function([x], graph(x), mode="NUMPY")
    shapes = set()
    for v in VECTORS:
        if name in EMPTY_TESTS and not np.any(EMPTY_TESTS[name](v)):
            continue  # an empty selection: see test_max_of_an_empty_selection_raises
        shapes.add(v.shape)
        expected = reference(v)
        got = f(v)
        assert np.shape(got) == np.shape(expected)
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        np.testing.assert_allclose(f_numpy(v), expected, rtol=1e-12)
    linked = f.maker.linked()
    assert isinstance(linked, BucketedCompiled) and linked.static is None, linked.fallback_reason
    assert linked.compile_count == len(shapes)  # one per shape, not per count


def test_compilations_once_per_input_shape_over_every_count(x):
    t = gt.dscalar("t")
    f = g.function([x, t], x[x > t].sum())
    v = np.linspace(-1.0, 1.0, 200)
    for t_value in np.linspace(-1.1, 1.1, 60):  # counts 0 ... 200
        np.testing.assert_allclose(f(v, t_value), v[v > t_value].sum(), atol=1e-12)
    np.testing.assert_allclose(f(v[:17], 0.0), v[:17][v[:17] > 0].sum(), atol=1e-12)
    linked = f.maker.linked()
    assert linked.compile_count == 2 and linked.trace_count == 2
    assert linked.static is None  # no first stage, no host round trip


def test_returned_masked_selection_is_cut_to_its_count(x):
    f = g.function([x], [x[x > 0], x[x <= 0].sum()])
    for v in VECTORS:
        kept, rest = f(v)
        np.testing.assert_array_equal(kept, v[v > 0])
        np.testing.assert_allclose(rest, v[v <= 0].sum(), atol=1e-12)
    empty, _ = f(-np.ones(4))
    assert empty.shape == (0,) and empty.dtype == np.float64


def test_update_using_a_masked_selection():
    acc = g.shared(0.0, name="acc")
    w = g.shared(np.array([[1.0, -1.0], [-2.0, 2.0], [3.0, 0.0]]), name="w")
    x = gt.dvector("x")
    f = g.function(
        [x],
        x[x > 0].mean(),
        updates=[
            (acc, acc + x[x > 0].sum()),
            (w, gt.set_subtensor(w[w[:, 0] > 0], w[w[:, 0] > 0] * 2)),
        ],
    )
    expected_w = w.get_value().copy()
    total = 0.0
    for v in VECTORS:
        if not (v > 0).any():
            continue
        np.testing.assert_allclose(f(v), v[v > 0].mean())
        total += v[v > 0].sum()
        np.testing.assert_allclose(acc.get_value(), total)
        expected_w[expected_w[:, 0] > 0] *= 2
        np.testing.assert_array_equal(w.get_value(), expected_w)
    assert f.maker.linked().static is None


def test_an_op_without_a_ragged_rule_falls_back_to_staging(x):
    """``cumsum`` has no rule: the same values, one compilation per count (the staged form)."""
    f = g.function([x], gt.cumsum(x[x > 0]) * 2)
    for v in VECTORS:
        np.testing.assert_allclose(f(v), np.cumsum(v[v > 0]) * 2)
    linked = f.maker.linked()
    assert isinstance(linked.static, StagedCompiled)
    assert "CumOp" in str(linked.fallback_reason)


def test_out_of_range_index_into_a_masked_selection_raises(x):
    i = gt.lscalar("i")
    f = g.function([x, i], x[x > 0][i])
    np.testing.assert_array_equal(f(np.array([1.0, -1.0, 2.0]), 1), 2.0)
    np.testing.assert_array_equal(f(np.array([1.0, -1.0, 2.0]), -2), 1.0)
    with pytest.raises(IndexError, match="index 2 is out of bounds"):
        f(np.array([1.0, -1.0, 2.0]), 2)
    assert f.maker.linked().static is None  # the error did not send it to the fallback


def test_max_of_an_empty_selection_raises_numpy_error(x):
    """numpy's ``ValueError``, by the run-time checks; with them off, the identity (JAX's -inf)."""
    f = g.function([x], x[x > 0].max())
    np.testing.assert_allclose(f(np.array([1.0, 2.0])), 2.0)
    with pytest.raises(ValueError, match="zero-size array"):
        f(np.array([-1.0, -2.0]))
    unchecked = g.function([x], x[x > 0].max(), mode=g.Mode(check_index_bounds=False))
    assert unchecked(np.array([-1.0, -2.0])) == -np.inf


def test_a_mask_given_as_input_compiles_once_per_shape(x):
    """An input mask was a static argument (one compilation per mask); now it is bounded too."""
    m = gt.tensor("bool", shape=(None,), name="m")
    total = g.function([x, m], [x[m].sum(), x[m]])
    kept = g.function([x, m], gt.cumsum(x[m]))  # no ragged rule: the static form, per mask
    masks = [RNG.random(8) > 0.5 for _ in range(6)]
    v = RNG.normal(size=8)
    for mask in masks:
        got_sum, got_rows = total(v, mask)
        np.testing.assert_allclose(got_sum, v[mask].sum(), atol=1e-12)
        np.testing.assert_array_equal(got_rows, v[mask])
        np.testing.assert_allclose(kept(v, mask), np.cumsum(v[mask]))
    assert total.maker.linked().compile_count == 1
    assert kept.maker.linked().compile_count == len({m.tobytes() for m in masks})
    with pytest.raises(IndexError, match="boolean index did not match"):
        total(np.ones(3), np.array([True, False]))
