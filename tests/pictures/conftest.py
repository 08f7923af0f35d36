"""The graphs the picture tests draw, compiled once."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as pt
from graph2jax.ifelse import ifelse
from graph2jax.scan import scan


@pytest.fixture(scope="package")
def step():
    """One SGD-like step: an output, and an update of the shared ``W`` (its buffer donated)."""
    x = pt.vector("x")
    W = g.shared(np.ones(3), name="W")
    f = g.function([x], (x * W).sum(), updates=[(W, W - 0.1 * x)], profile=True, name="step")
    f(np.arange(3.0))
    f(np.arange(3.0))
    return f


@pytest.fixture(scope="package")
def branchy():
    """A function with three inner graphs: the two branches of an ifelse and a scan's step."""
    c, x = pt.scalar("c"), pt.vector("x")
    chosen = ifelse(c > 0, x * 2, x + 1)
    powers, _ = scan(lambda prev: prev * 2, outputs_info=x, n_steps=4)
    return g.function([c, x], [chosen, powers[-1]], name="branchy")
