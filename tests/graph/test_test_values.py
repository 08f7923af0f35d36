"""Test values (PyTensor 2.38's debugging FAQ): config.compute_test_value, print_test_value."""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.graph import errors


@pytest.fixture
def test_values():
    with g.config.change_flags(compute_test_value="raise"):
        yield


def test_building_a_node_computes_its_test_value(test_values):
    x, w = gt.dmatrix("x"), g.shared(np.full((4, 2), 0.5))
    x.tag.test_value = np.ones((3, 4))
    h = gt.tanh(gt.dot(x, w) + 1.0)
    np.testing.assert_allclose(h.tag.test_value, np.tanh(np.full((3, 2), 3.0)))
    assert h.get_test_value() is h.tag.test_value


def test_a_shape_error_is_raised_where_the_graph_is_built(test_values):
    x, y = gt.dmatrix("x"), gt.dmatrix("y")
    x.tag.test_value = np.ones((3, 4))
    y.tag.test_value = np.ones((5, 2))
    with pytest.raises(ValueError, match="not aligned"):
        gt.dot(x, y)


@pytest.mark.parametrize("mode", ["ignore", "warn", "raise"])
def test_missing_test_value(mode):
    x, z = gt.dvector("x"), gt.dvector("z")
    x.tag.test_value = np.ones(2)
    with g.config.change_flags(compute_test_value=mode):
        if mode == "raise":
            with pytest.raises(ValueError, match="missing default value"):
                x + z
            return
        if mode == "warn":
            with pytest.warns(UserWarning, match="missing default value"):
                out = x + z
        else:
            out = x + z
    with pytest.raises(errors.TestValueError):
        out.get_test_value()


def test_off_by_default_and_test_value_is_checked_by_the_type():
    assert g.config.compute_test_value == "off"
    x = gt.dvector("x")
    x.tag.test_value = [1, 2]  # converted by the type's filter
    assert x.tag.test_value.dtype == np.float64
    assert not hasattr((x * 2).tag, "test_value")
    with pytest.raises(TypeError, match="dimensions"):
        x.tag.test_value = np.ones((2, 2))
    with pytest.raises(ValueError):
        g.config.compute_test_value = "on"


def test_print_test_value_shows_it_in_repr():
    x = gt.dvector("x")
    x.tag.test_value = np.array([1.0, 2.0])
    assert repr(x) == "x"
    with g.config.change_flags(print_test_value=True):
        assert repr(x) == "x\narray([1., 2.])"
        assert repr(gt.dvector("y")) == "y"
    assert gt.constant(3).get_test_value() == 3
