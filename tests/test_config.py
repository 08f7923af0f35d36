"""config flags: defaults, GRAPH2JAX_FLAGS, change_flags, validation, and x64 being on."""

from __future__ import annotations

import jax.numpy as jnp
import pytest

import graph2jax as g
from graph2jax.config import Config


def test_defaults_and_x64():
    assert g.config.floatX == "float64"
    assert g.config.mode == "FAST_RUN"
    assert jnp.ones(2).dtype == jnp.float64, "importing graph2jax turns on jax_enable_x64"


def test_flags_from_the_environment(monkeypatch):
    monkeypatch.setenv("GRAPH2JAX_FLAGS", "floatX=float32, mode=NUMPY")
    cfg = Config()
    assert (cfg.floatX, cfg.mode) == ("float32", "NUMPY")


def test_unknown_or_invalid_flags_raise(monkeypatch):
    monkeypatch.setenv("GRAPH2JAX_FLAGS", "flaotX=float32")
    with pytest.raises(ValueError, match="no flag 'flaotX'"):
        Config()
    with pytest.raises(ValueError, match="must be one of"):
        g.config.floatX = "float16"


def test_change_flags_restores_even_on_error():
    with pytest.raises(RuntimeError):
        with g.config.change_flags(floatX="float32", mode="NUMPY"):
            assert g.config.floatX == "float32"
            raise RuntimeError
    assert (g.config.floatX, g.config.mode) == ("float64", "FAST_RUN")


def test_import_leaves_numpy_global_random_state_untouched():
    import subprocess
    import sys

    draw = "import numpy as np; np.random.seed(0); {} print(repr(np.random.rand()))"
    outs = [
        subprocess.run(
            [sys.executable, "-c", draw.format(imp)], capture_output=True, text=True, check=True
        ).stdout
        for imp in ("", "import graph2jax, graph2jax.tensor;")
    ]
    assert outs[0] == outs[1] and outs[0].strip() == repr(0.5488135039273248)
