"""PyTensor's module paths that ported scripts reach as attributes, without importing them first."""

import subprocess
import sys

import numpy as np

import graph2jax
import graph2jax.tensor as pt


def test_tensor_submodules_are_attributes_of_the_namespace():
    x = pt.type.dvector("x")
    f = graph2jax.function([x], [pt.math.sum(pt.math.tanh(x)), pt.math.dot(x, x)])
    total, sq = f(np.array([0.5, -1.0]))
    np.testing.assert_allclose(total, np.tanh(0.5) + np.tanh(-1.0))
    assert sq == 1.25
    assert pt.slinalg.solve is pt.linalg.solve
    assert pt.basic.as_tensor_variable is pt.as_tensor_variable
    assert pt.sharedvar.SharedVariable is graph2jax.SharedVariable
    assert pt.variable.TensorVariable is pt.TensorVariable


def test_configdefaults_config_is_the_config():
    # a fresh process: `from pytensor.configdefaults import config` is a script's first line
    code = "from graph2jax.configdefaults import config; import graph2jax; print(config is graph2jax.config, config.floatX)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "float64"]
