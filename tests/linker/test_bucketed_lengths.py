"""Lengths computed from values, bucketed (graph2jax/linker/jax_linker.py ``_link_staged``,
graph2jax/ops/ragged_sources.py): ``arange(x.sum())``, ``zeros(k)`` / ``alloc(v, k)`` with ``k``
computed, ``repeat`` counts and slice bounds are read by a first stage and compiled once per
capacity (a power of two) as ragged values; ``unique`` is bounded by its input's size."""

import math

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.linker.compiled import BucketedCompiled, JaxCompiled
from graph2jax.linker.staging import StagedCompiled

SIZES = np.unique(np.geomspace(1, 1000, 40).astype(int))
BOUND = math.ceil(math.log2(1000)) + 1  # compilations of the second stage over SIZES
RNG = np.random.default_rng(5)


@pytest.fixture(scope="module")
def x():
    return gt.dvector("x")


def _count(x):
    return gt.cast((x > 0).sum(), "int64")


def _positives(n):
    """1000 entries, the first ``n`` positive."""
    return np.where(np.arange(1000) < n, 1.5, -1.0)


def _distinct(n):
    """1000 entries taking ``n`` distinct values."""
    return (np.arange(1000) * 7 % n).astype(float) - n / 2


SWEEPS = {  # name: (graph of x, input for size n, numpy of that input)
    "arange": (
        lambda x: gt.arange(gt.cast(x.sum(), "int64")),
        lambda n: np.array([float(n)]),
        lambda v: np.arange(np.int64(v.sum())),
    ),
    "arange_summed": (
        lambda x: (gt.arange(gt.cast(x.sum(), "int64")) * 2).sum(),
        lambda n: np.array([float(n)]),
        lambda v: (np.arange(np.int64(v.sum())) * 2).sum(),
    ),
    "zeros": (
        lambda x: gt.zeros((_count(x), 2)),
        _positives,
        lambda v: np.zeros(((v > 0).sum(), 2)),
    ),
    "alloc_mean": (
        lambda x: gt.alloc(x[0] * 2, _count(x)).mean(),
        _positives,
        lambda v: np.full((v > 0).sum(), v[0] * 2).mean(),
    ),
    "unique": (lambda x: gt.unique(x), _distinct, np.unique),
    "unique_summed": (lambda x: gt.unique(x).sum(), _distinct, lambda v: np.unique(v).sum()),
    "repeat": (
        lambda x: gt.repeat(x[:3], _count(x)),
        _positives,
        lambda v: np.repeat(v[:3], (v > 0).sum()),
    ),
    "slice_bound": (
        lambda x: x[: _count(x) // 2].sum(),
        _positives,
        lambda v: v[: (v > 0).sum() // 2].sum(),
    ),
}


@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_compilations_bounded_over_sizes_1_to_1000(x, name):
    graph, make, reference = SWEEPS[name]
    f = g.function([x], graph(x))
    for n in SIZES:
        v = make(n)
        expected = reference(v)
        got = f(v)
        assert np.shape(got) == np.shape(expected)
        np.testing.assert_allclose(got, expected)
    f_numpy = g.function([x], graph(x), mode="NUMPY")
    for n in (1, 7, 100):
        np.testing.assert_allclose(f_numpy(make(n)), reference(make(n)))
    linked = f.maker.linked()
    if name.startswith("unique"):  # bounded by the input's size: no first stage
        assert isinstance(linked, BucketedCompiled) and linked.static is None
        assert linked.compile_count == 1
        return
    assert isinstance(linked, StagedCompiled)
    second = linked.second
    assert isinstance(second, BucketedCompiled) and second.static is None, second.fallback_reason
    assert second.compile_count <= BOUND and linked.first.compile_count == 1
    capacities = {1 << max(int(n) - 1, 0).bit_length() for n in SIZES}
    if name in ("arange", "zeros"):  # the length is n itself: one compilation per capacity
        assert second.compile_count == len(capacities)


CASES = {  # name: (graph of x, numpy of x)
    "arange_start_step": (
        lambda x: gt.arange(3, gt.cast(x.sum() * 4, "int64"), 2),
        lambda v: np.arange(3, np.int64(v.sum() * 4), 2),
    ),
    "arange_float": (
        lambda x: gt.arange(gt.cast(x.sum() * 4, "int64"), dtype="float64") / 2,
        lambda v: np.arange(np.int64(v.sum() * 4), dtype="float64") / 2,
    ),
    "arange_of_negative": (
        lambda x: gt.arange(gt.cast(x.sum() - 100, "int64")),
        lambda v: np.arange(np.int64(v.sum() - 100)),
    ),
    "arange_plus_masked": (
        lambda x: gt.arange(_count(x)).sum() + x[x > 0].sum(),
        lambda v: np.arange((v > 0).sum()).sum() + v[v > 0].sum(),
    ),
    "arange_gathers": (
        lambda x: gt.concatenate([x, x])[gt.arange(_count(x))],
        lambda v: np.concatenate([v, v])[np.arange((v > 0).sum())],
    ),
    "zeros_updated": (
        lambda x: gt.set_subtensor(gt.zeros((_count(x) + 1, 2))[-1], x[:2]),
        lambda v: np.concatenate([np.zeros(((v > 0).sum(), 2)), [v[:2]]]),
    ),
    "unique_of_selection": (
        lambda x: gt.unique(gt.round(x[x > -0.5])),
        lambda v: np.unique(np.round(v[v > -0.5])),
    ),
    "unique_of_matrix": (
        lambda x: gt.unique(gt.round(gt.outer(x, x))),
        lambda v: np.unique(np.round(np.outer(v, v))),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bucketed_lengths_match_numpy(x, name):
    graph, reference = CASES[name]
    f = g.function([x], graph(x))
    f_numpy = g.function([x], graph(x), mode="NUMPY")
    for v in [RNG.normal(size=n) * 2 for n in (2, 9, 9)] + [np.array([-1.0, -2.0])]:
        expected = reference(v)
        got = f(v)
        assert np.shape(got) == np.shape(expected) and np.asarray(got).dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        np.testing.assert_allclose(f_numpy(v), expected, rtol=1e-12)
    second = getattr(f.maker.linked(), "second", f.maker.linked())
    assert isinstance(second, BucketedCompiled) and second.static is None, second.fallback_reason


@pytest.mark.parametrize("selected", [False, True])
def test_unique_with_index_inverse_and_counts_matches_numpy(x, selected):
    values = x[x > -1] if selected else x
    f = g.function(
        [x], gt.unique(gt.round(values), return_index=True, return_inverse=True, return_counts=True)
    )
    inputs = [np.round(RNG.normal(size=n) * 2) for n in (6, 30, 30)]
    inputs.append(np.array([np.nan, 1.0, np.nan, -0.5, 1.0]))
    for v in inputs:
        chosen = np.round(v[v > -1] if selected else v)
        expected = np.unique(chosen, return_index=True, return_inverse=True, return_counts=True)
        for got, want in zip(f(v), expected, strict=True):
            np.testing.assert_array_equal(got, np.ravel(want))
    assert f.maker.linked().static is None, f.maker.linked().fallback_reason
    assert f.maker.linked().compile_count == len({v.shape for v in inputs})


def test_unique_of_an_input_compiles_once_per_shape():
    """An input's unique was evaluated with numpy while tracing: one compilation per value."""
    i = gt.lvector("i")
    f = g.function([i], [gt.unique(i), gt.unique(i, return_counts=True)[1].max()])
    for n in (1, 2, 5, 9):
        v = np.arange(20) % n
        values, top = f(v)
        np.testing.assert_array_equal(values, np.unique(v))
        assert top == np.unique(v, return_counts=True)[1].max()
    assert f.maker.linked().compile_count == 1


def test_gradients_through_bucketed_lengths(x):
    w = gt.dscalar("w")
    k = _count(x)
    losses = [(gt.arange(k) * w).sum(), (gt.alloc(w, k) ** 2).sum(), (gt.zeros(k) + x[0] * w).sum()]
    f = g.function([x, w], [g.grad(loss, w) for loss in losses] + [g.grad(losses[2], x)])
    for n in (1, 3, 9, 40):
        v, w_value = _positives(n)[:50], 1.5
        d_arange, d_alloc, d_zeros, d_x = f(v, w_value)
        np.testing.assert_allclose(d_arange, np.arange(n).sum())
        np.testing.assert_allclose(d_alloc, 2 * w_value * n)
        np.testing.assert_allclose(d_zeros, n * v[0])
        np.testing.assert_allclose(d_x, np.eye(50)[0] * n * w_value)
    second = f.maker.linked().second
    assert second.static is None, second.fallback_reason


def test_an_op_without_a_ragged_rule_falls_back_to_exact_values(x):
    """``cumsum`` has no rule: the same values, one compilation per value (the exact stage)."""
    f = g.function([x], gt.cumsum(gt.arange(_count(x))))
    for n in (1, 3, 3, 7):
        np.testing.assert_array_equal(f(_positives(n)[:10]), np.cumsum(np.arange(n)))
    second = f.maker.linked().second
    assert isinstance(second.static, JaxCompiled) and "CumOp" in str(second.fallback_reason)
    assert second.static.compile_count == 3  # 1, 3 and 7: from the first call on


def test_negative_lengths_raise_numpy_error(x):
    k = gt.cast(x.sum(), "int64")
    zeros, repeated = g.function([x], gt.zeros(k)), g.function([x], gt.repeat(x, k))
    np.testing.assert_array_equal(zeros(np.array([2.0])), np.zeros(2))
    np.testing.assert_array_equal(repeated(np.array([2.0])), np.array([2.0, 2.0]))
    with pytest.raises(ValueError, match="negative"):
        zeros(np.array([-3.0]))
    with pytest.raises(ValueError, match="negative"):
        repeated(np.array([-3.0]))
    assert zeros.maker.linked().second.static is None  # the error did not send it to the fallback


def test_one_read_of_the_first_stage_per_call(x, monkeypatch):
    f = g.function([x], [gt.arange(_count(x)), gt.zeros(_count(x) * 2).sum()])
    f(_positives(3))
    reads = []
    device_get = jax.device_get
    monkeypatch.setattr(jax, "device_get", lambda v: reads.append(v) or device_get(v))
    kept, total = f(_positives(5))
    np.testing.assert_array_equal(kept, np.arange(5))
    assert total == 0.0 and len(reads) == 1


def test_update_with_a_bucketed_length(x):
    acc = g.shared(np.int64(0), name="acc")
    f = g.function([x], gt.arange(_count(x)), updates=[(acc, acc + gt.arange(_count(x)).sum())])
    total = 0
    for n in (2, 5, 3):
        np.testing.assert_array_equal(f(_positives(n)[:8]), np.arange(n))
        total += np.arange(n).sum()
        assert acc.get_value() == total
    assert f.maker.linked().second.static is None
