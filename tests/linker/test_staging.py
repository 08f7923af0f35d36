"""Staged compilation (graph2jax/linker/staging.py): shapes decided by values the graph computes."""

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.linker.compiled import JaxCompiled
from graph2jax.linker.staging import StagedCompiled

RNG = np.random.default_rng(0)
VECTORS = [RNG.normal(size=n) for n in (1, 6, 9)]


@pytest.fixture(scope="module")
def x():
    return gt.dvector("x")


CASES = {  # name: (graph of x, numpy of x)
    # masks and nonzero: bounded by their sizes, see test_masked.py; a cumsum has no ragged rule
    "masked_cumsum": (lambda x: gt.cumsum(x[x > 0]), lambda v: np.cumsum(v[v > 0])),
    "arange_of_sum": (
        lambda x: gt.arange(gt.cast(abs(x).sum() * 3, "int64")),
        lambda v: np.arange(np.int64(abs(v).sum() * 3)),
    ),
    "zeros_of_count": (
        lambda x: gt.zeros((gt.cast((x > 0).sum(), "int64"), 2)),
        lambda v: np.zeros(((v > 0).sum(), 2)),
    ),
    "unique": (lambda x: gt.unique(gt.round(x)), lambda v: np.unique(np.round(v))),
    "slice_bound": (
        lambda x: x[: gt.cast((x > 0).sum(), "int64")],
        lambda v: v[: (v > 0).sum()],
    ),
    "repeat_count": (
        lambda x: gt.repeat(x, gt.cast((x > 0).sum(), "int64")),
        lambda v: np.repeat(v, (v > 0).sum()),
    ),
    "reshape_target": (
        lambda x: gt.reshape(gt.concatenate([x, x]), (gt.cast(x.sum() * 0 + 2, "int64"), -1)),
        lambda v: np.concatenate([v, v]).reshape(2, -1),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_decided_shape_matches_numpy(x, name):
    graph, reference = CASES[name]
    f = g.function([x], graph(x))
    f_numpy = g.function([x], graph(x), mode="NUMPY")
    for v in VECTORS:
        expected = reference(v)
        np.testing.assert_allclose(f(v), expected)
        np.testing.assert_allclose(f_numpy(v), expected)
    linked = f.maker.linked()
    assert isinstance(getattr(linked, "static", linked), StagedCompiled)  # a mask's: its fallback


def test_unique_with_index_inverse_and_counts_matches_numpy(x):
    f = g.function(
        [x], gt.unique(gt.round(x * 2), return_index=True, return_inverse=True, return_counts=True)
    )
    for v in VECTORS[1:]:
        expected = np.unique(np.round(v * 2), return_index=True, return_inverse=True)
        got = f(v)
        for a, b in zip(got[:3], expected, strict=True):
            np.testing.assert_array_equal(a, np.ravel(b))
        np.testing.assert_array_equal(got[3], np.unique(np.round(v * 2), return_counts=True)[1])


def test_compilations_bounded_by_the_distinct_sizes(x):
    """A compilation per distinct computed size (not per value), plus the first stage's."""
    f = g.function([x], gt.arange(gt.cast((x > 0).sum(), "int64")))
    v = np.linspace(-1.0, 1.0, 64)
    shifts = np.linspace(-1.1, 1.1, 8)
    for shift in [*shifts, *shifts]:
        np.testing.assert_array_equal(f(v - shift), np.arange((v - shift > 0).sum()))
    sizes = {int((v - shift > 0).sum()) for shift in shifts}
    linked = f.maker.linked()
    assert linked.compile_count == len(sizes) + 1
    assert linked.trace_count == len(sizes) + 1


def test_update_with_a_masked_selection():
    acc = g.shared(0.0, name="acc")
    w = g.shared(np.array([[1.0, -1.0], [-2.0, 2.0], [3.0, 0.0]]), name="w")
    x = gt.dvector("x")
    f = g.function(
        [x],
        x[x > 0].mean(),
        updates=[(acc, acc + x[x > 0].sum()), (w, gt.inc_subtensor(w[w[:, 0] > 0, 1], 10.0))],
    )
    expected_w = w.get_value().copy()
    for v in VECTORS:
        if not (v > 0).any():
            continue
        before = acc.get_value()
        np.testing.assert_allclose(f(v), v[v > 0].mean())
        np.testing.assert_allclose(acc.get_value(), before + v[v > 0].sum())
        expected_w[expected_w[:, 0] > 0, 1] += 10.0
        np.testing.assert_array_equal(w.get_value(), expected_w)


def test_static_graphs_keep_the_single_jitted_call(x):
    n = gt.lscalar("n")
    linked = g.function([x], x * 2).maker.linked()
    assert type(linked) is JaxCompiled
    assert linked.single is linked._variant((), single=True)  # the shell calls it: no frame
    assert linked.call(np.ones(2))[0].tolist() == [2.0, 2.0]
    linked = g.function([n], gt.arange(n + 1)).maker.linked()  # n: a static input, as before
    assert type(linked) is JaxCompiled and linked.static_argnums == (0,)
    f = g.function([x], (x > 0).sum())
    assert type(f.maker.linked()) is JaxCompiled  # the count is a value, not a shape


def test_staged_index_checks_and_debug_mode(x):
    i = gt.lscalar("i")
    f = g.function([x, i], x[x > 0][i])
    np.testing.assert_array_equal(f(np.array([1.0, -1.0, 2.0]), 1), 2.0)
    with pytest.raises(IndexError, match="index 2 is out of bounds"):
        f(np.array([1.0, -1.0, 2.0]), 2)
    debug = g.function([x], x[x > 0].sum(), mode="DebugMode")
    np.testing.assert_allclose(debug(VECTORS[2]), VECTORS[2][VECTORS[2] > 0].sum())


def test_staged_function_has_no_single_jax_fn(x):
    f = g.function([x], x[x > 0])
    with pytest.raises(TypeError, match="two stages"):
        f.jax_fn(VECTORS[0])


def test_random_draws_decide_and_are_masked_consistently(x):
    """A draw read by both stages is the same draw: its key is an input of both."""
    from graph2jax.tensor.random.utils import RandomStream

    srng = RandomStream(1)
    sized = g.function([x], srng.normal(size=(gt.cast(x.sum(), "int64"),)))
    assert sized(np.array([1.0, 2.0])).shape == (3,)
    draw = srng.normal(size=(50,))
    positive = g.function([], draw[draw > 0])
    first, second = positive(), positive()
    assert (first > 0).all() and (second > 0).all()
    assert 0 < len(first) < 50 and not np.array_equal(first, second)  # the key advanced


def test_recompiling_over_computed_values_warns_naming_the_computed_value(x):
    from graph2jax.compile import RecompileWarning

    f = g.function([x], gt.arange(gt.cast(x.sum(), "int64")))
    with g.config.change_flags(recompile_warning_limit=2):
        with pytest.warns(RecompileWarning, match="shape-deciding value #0 computed in the graph"):
            for n in (1, 2, 3, 4):
                np.testing.assert_array_equal(f(np.array([float(n)])), np.arange(n))
