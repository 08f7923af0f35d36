"""PyTensor 2.38's and 3.0's module paths and small public hooks that ported tests and scripts
use: ``compile.maker.function``, ``link.basic.Container`` (PyTensor's constructor),
``Function.dprint``, ``config.cxx``, ``graph.op`` / ``graph.traversal`` / ``graph.null_type``,
``scan.op.Scan``, ``tensor.random.RandomStream``."""

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.maker import function as maker_function
from graph2jax.graph.gradtypes import NullType
from graph2jax.graph.null_type import NullType as NullTypeAtPyTensorsPath
from graph2jax.graph.traversal import ancestors, graph_inputs, toposort
from graph2jax.link.basic import Container
from graph2jax.printing import debugprint
from graph2jax.scan.op import Scan
from graph2jax.tensor.random import RandomStream


def test_pytensor_3_paths_name_the_same_objects():
    assert maker_function is g.function
    assert NullTypeAtPyTensorsPath is NullType
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import graph2jax.compile.maker as maker

        maker.nothing  # noqa: B018
    srng = RandomStream(seed=1)
    assert srng.normal(size=(2,)).eval().shape == (2,)
    x = gt.dvector("x")
    y = (x * 2).sum()
    assert graph_inputs([y])[0] is x  # and the constant 2, as PyTensor
    assert any(v is x for v in ancestors([y])) and len(toposort([x], [y])) == 2
    outs, _ = g.scan(lambda a: a * 2, sequences=[x])
    assert any(isinstance(n.op, Scan) for n in toposort([x], [outs]))


def test_a_container_built_as_in_pytensor_holds_a_persistent_implicit_input():
    a = gt.dscalar("a")
    c = Container(a, storage=[np.array(0.0)])
    assert c.name == "a" and c.type == a.type
    f = g.function([g.In(a, value=c, implicit=True, update=a + 1)], a)
    assert [float(f()) for _ in range(3)] == [0.0, 1.0, 2.0]
    assert float(c.storage[0]) == 3.0
    assert float(c.value) == 3.0


def test_container_checks_its_storage_and_readonly():
    a = gt.dscalar("a")
    with pytest.raises(TypeError, match="storage must be a list"):
        Container(a, storage=np.array(0.0))
    ro = Container(a.type, [1.5], readonly=True, name="ro")
    assert float(ro.value) == 1.5 and ro.name == "ro"
    with pytest.raises(TypeError, match="read-only"):
        ro.value = 2.0
    assert float(ro.value) == 1.5


def test_function_dprint_is_debugprint_of_the_function():
    x = gt.scalar("x")
    f = g.function([x], x + 1)
    text = f.dprint(file="str")
    assert text == debugprint(f, file="str")
    assert "x" in text and "add" in text.lower()


def test_config_cxx_says_there_is_no_c_compiler():
    assert g.config.cxx == ""
    with pytest.raises(ValueError, match="config.cxx"):
        g.config.cxx = "g++"


def test_pytensors_generic_type_and_int_bitwidth_paths():
    from graph2jax.link.c.type import GenericType, generic
    from graph2jax.utils import PYTHON_INT_BITWIDTH

    assert g.shared([]).type == generic == GenericType()
    assert g.shared("asdf").get_value() == "asdf"
    assert PYTHON_INT_BITWIDTH == 64
    assert g.shared(7).type == gt.lscalar and g.shared(7).dtype == f"int{PYTHON_INT_BITWIDTH}"


def test_pytensor_3_debug_paths():
    from graph2jax.compile.debug.monitormode import MonitorMode
    from graph2jax.compile.debug.profiling import ProfileStats
    from graph2jax.compile.monitormode import MonitorMode as MonitorModeHere
    from graph2jax.compile.profiling import ProfileStats as ProfileStatsHere

    assert MonitorMode is MonitorModeHere and ProfileStats is ProfileStatsHere
