"""``graph2jax.export`` / ``load_exported``: a compiled function and its state, shipped.

The round trip runs the saved model in a fresh python process that cannot import graph2jax
(JAX and numpy only), over several calls that update parameters and draw random numbers,
and compares with the original function's calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.tensor.random.utils import RandomStream

BATCH = np.arange(12.0).reshape(4, 3) / 10


def _model():
    """A step that updates a parameter and draws noise from a shared generator."""
    x = gt.dmatrix("x")
    w = g.shared(np.array([0.5, -1.0, 2.0]), name="w")
    srng = RandomStream(seed=7)
    noise = srng.normal(0, 1, size=(3,))
    y = gt.tanh(x @ (w + 0.01 * noise))
    f = g.function([x], [y, (y**2).sum()], updates={w: w - 0.1 * x.sum(0)})
    return f, w


@pytest.fixture(scope="module")
def model():
    return _model()


#: runs a saved model with JAX alone; graph2jax is blocked before anything imports it
JAX_ALONE = textwrap.dedent(
    """
    import importlib.abc, json, sys
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "graph2jax":
                raise ImportError("graph2jax is blocked in this process")
    sys.meta_path.insert(0, Block())
    try:
        import graph2jax  # noqa
        raise SystemExit("graph2jax could be imported")
    except ImportError:
        pass

    import jax, numpy as np
    jax.config.update("jax_enable_x64", True)  # the model computes in float64
    directory, n_calls = sys.argv[1], int(sys.argv[2])
    with open(f"{directory}/exported.bin", "rb") as file:
        exported = jax.export.deserialize(bytearray(file.read()))
    with np.load(f"{directory}/state.npz") as saved:
        state = tuple(saved[f"arr_{k}"] for k in range(len(saved.files)))
    x = np.arange(12.0).reshape(4, 3) / 10
    results = []
    for _ in range(n_calls):
        outputs, state = exported.call((x,), state)
        results.append([np.asarray(o).tolist() for o in outputs])
    print(json.dumps({"results": results, "w": np.asarray(state[0]).tolist()}))
    """
)


def test_a_saved_model_runs_with_jax_alone_and_advances_its_state(tmp_path):
    f, w = _model()  # its own: the calls below advance it
    g.export(f, BATCH).save(tmp_path)
    run = subprocess.run(
        [sys.executable, "-I", "-c", JAX_ALONE, str(tmp_path), "3"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    alone = json.loads(run.stdout)
    expected = [f(BATCH) for _ in range(3)]
    for got, (y, loss) in zip(alone["results"], expected, strict=True):
        np.testing.assert_allclose(got[0], y, rtol=1e-12)
        np.testing.assert_allclose(got[1], loss, rtol=1e-12)
    assert not np.allclose(alone["results"][0][0], alone["results"][1][0])  # state moved on
    np.testing.assert_allclose(alone["w"], w.get_value(), rtol=1e-12)


def test_the_loaded_model_calls_like_the_original(model, tmp_path):
    f, w = model
    m = g.load_exported(g.export(f, BATCH).save(tmp_path))
    assert m.symbolic and m.state_names[0] == "w" and len(m.state) == 2
    for _ in range(3):
        (y, loss), (y_m, loss_m) = f(BATCH), m(BATCH)
        np.testing.assert_allclose(y_m, y, rtol=1e-12)
        np.testing.assert_allclose(loss_m, loss, rtol=1e-12)
    np.testing.assert_allclose(m.state[0], w.get_value(), rtol=1e-12)


def test_the_pure_form_keeps_no_state_and_takes_other_batch_sizes(model):
    f, _ = model
    m = g.export(f, BATCH)
    before = m.state
    x = np.ones((7, 3))
    (y1, _), state1 = m.call([x], before)
    (y2, _), _ = m.call([x], before)
    np.testing.assert_array_equal(np.asarray(y1), np.asarray(y2))  # same state, same draw
    assert y1.shape == (7,)
    for a, b in zip(m.state, before, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.asarray(state1[0]), before[0] - 0.1 * x.sum(0))
    assert not np.array_equal(np.asarray(state1[1]), before[1])  # the generator advanced


def test_an_export_for_several_platforms_runs_on_this_one(model):
    f, _ = model
    m = g.export(f, BATCH, platforms=("cpu", "cuda"))
    assert m.exported.platforms == ("cpu", "cuda")
    (y, _), _ = m.call([BATCH], m.state)
    np.testing.assert_allclose(np.asarray(y), g.export(f, BATCH).call([BATCH], m.state)[0][0])


def test_a_graph_needing_concrete_sizes_is_exported_with_the_examples_shapes():
    x = gt.dmatrix("x")
    f = g.function([x], x[: x.shape[0] // 2].sum(0))
    m = g.export(f, BATCH)
    assert not m.symbolic
    np.testing.assert_allclose(m(BATCH), BATCH[:2].sum(0))
    assert g.export(g.function([x], x.sum(0)), BATCH).symbolic


def test_an_input_that_decides_shapes_is_fixed_at_export():
    n = gt.lscalar("n")
    f = g.function([n], gt.arange(n) * 2.0)
    m = g.export(f, 3)
    np.testing.assert_array_equal(m(3), [0.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="input n decides shapes and was fixed to 3"):
        m(4)


def test_bad_calls_and_unexportable_functions_are_refused(model):
    f, _ = model
    m = g.export(f, BATCH)
    with pytest.raises(TypeError, match=r"takes 1 inputs \(x\), received 2"):
        m(BATCH, BATCH)
    with pytest.raises(TypeError, match="input x expects dtype float64, received .* float32"):
        m(BATCH.astype(np.float32))
    with pytest.raises(TypeError, match="expects a graph2jax Function"):
        g.export(lambda x: x, BATCH)
    x = gt.dvector("x")
    with pytest.raises(TypeError, match="NUMPY linker .* nothing to export"):
        g.export(g.function([x], 2 * x, mode="NUMPY"), np.ones(2))
    s = gt.dscalar("s")
    acc = g.function([x, g.In(s, value=0.0, update=s + x.sum())], x * s)
    with pytest.raises(TypeError, match="implicit or updated inputs"):
        g.export(acc, np.ones(2), 1.0)
