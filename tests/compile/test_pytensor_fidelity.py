"""PyTensor 2.38 behaviours a ported script meets first in ``function``, ``In`` and updates.

Each test follows one behaviour of PyTensor's ``compile/function`` (its tests
``test_pfunc.py``, ``test_types.py``, ``test_function.py``): the values it
computes and the exception classes it raises.
"""

from __future__ import annotations

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import In, MissingInputError, UnusedInputError
from graph2jax.compile.function import pfunc
from graph2jax.graph.utils import MissingInputError as PathMissingInputError


def test_more_specific_types_are_accepted_in_givens_updates_and_defaults():
    # a replacement whose static shape is known where the variable's is None
    z = gt.ivector("z")
    c = g.shared(np.array(1, dtype="int32"))
    f = g.function([], z + c, givens={z: np.asarray([4, 4, 4], dtype="int32")})
    np.testing.assert_array_equal(f(), np.array([5, 5, 5], dtype="int32"))
    m = gt.dmatrix("m")
    h = g.function([], m * 2, givens={m: np.array([[-1, 0, 1.0]])})
    np.testing.assert_array_equal(h(), np.array([[-2.0, 0.0, 2.0]]))
    # an update with a static shape, for a shared variable of unknown shape
    w = g.shared(np.zeros(3), shape=(None,))
    up = g.function([], [], updates={w: gt.as_tensor_variable(np.ones(3))})
    up()
    np.testing.assert_array_equal(w.get_value(), np.ones(3))
    # a default given as an In of a variable whose type is broader than the value's
    x = gt.dvector("x")
    d = g.function([In(x, value=np.arange(3.0))], x.sum())
    assert float(d()) == 3.0


def test_constant_updates_are_converted_when_lossless():
    b = g.shared(np.array(0, dtype="int64"), name="b")
    g.function([], b, updates={b: 3})()
    assert b.get_value() == 3 and b.get_value().dtype == np.int64
    f32 = g.shared(np.zeros((), dtype="float32"))
    g.function([], [], updates={f32: 0.5})()
    assert f32.get_value() == np.float32(0.5)
    with pytest.raises(TypeError, match="An update must have the same type"):
        g.function([], b, updates={b: 3.5})  # a float for an int: the value would change
    with pytest.raises(TypeError, match="An update must have the same type"):
        small = g.shared(np.array(0, dtype="int8"))
        g.function([], small, updates={small: 312})  # out of int8's range


def test_in_with_update_with_and_without_value():
    a = gt.dscalar("a")
    f = g.function([In(a, value=0.0, update=a + 1)], a)
    assert [float(f()) for _ in range(3)] == [0.0, 1.0, 2.0]
    h = g.function([In(a, update=a * 3)], a + 1)
    assert float(h(2.0)) == 3.0 and float(h["a"]) == 6.0
    with pytest.raises(TypeError, match="missing required input"):
        h()  # no value: the argument stays required, as PyTensor's


def test_in_argument_errors_are_type_errors():
    a, b = gt.dscalar("a"), gt.dvector("b")
    with pytest.raises(TypeError, match="implicit input must be given a default value"):
        In(a, implicit=True)
    with pytest.raises(TypeError, match="name must be a string"):
        In(a, name=[])
    with pytest.raises(TypeError, match="update of an In"):
        In(a, update=b)  # a vector update for a scalar
    s = g.shared(1.0)
    with pytest.raises(TypeError, match=r"Cannot use a shared variable \(.*\) as explicit input"):
        g.function([In(s, update=s + 1)])


def test_legacy_tuple_inputs():
    x, s = gt.dscalars("x", "s")
    f = g.function([x, (s, 5.0)], x + s)
    assert float(f(1.0)) == 6.0 and float(f(1.0, 2.0)) == 3.0
    acc = g.function([x, ((s, s + x), 0.0)], s)
    assert [float(acc(2.0)) for _ in range(3)] == [0.0, 2.0, 4.0]
    with pytest.raises(TypeError, match="tuple input"):
        g.function([(x,)], x)


def test_containers_of_shared_variables_and_functions():
    w = g.shared(np.array([1.0, 2.0]), name="w")
    container = w.container
    np.testing.assert_array_equal(container.value, [1.0, 2.0])
    x, s = gt.dscalars("x", "s")
    acc = g.function([x, In(s, value=0.0, update=s + x)], s)
    box = acc.container[s]
    assert box is acc.container["s"] and box is acc.container[1] and s in acc.container
    cell = box.storage
    assert isinstance(cell, list) and len(cell) == 1 and float(cell[0]) == 0.0
    cell[0] = 7.0  # PyTensor's way of setting a container's value
    assert float(acc["s"]) == 7.0
    # In(value=container): another function reads the value at each call and updates it
    dec = g.function([x, In(s, value=box, update=s - x)], s)
    acc(3.0)
    assert float(dec(1.0)) == 10.0 and float(acc["s"]) == 9.0
    assert float(dec(0.0)) == 9.0


def test_function_argument_checks():
    x, z = gt.dscalars("x", "z")
    with pytest.raises(TypeError, match="should be contained in a list"):
        g.function(x, x)
    with pytest.raises(TypeError, match="should be contained in a list"):
        pfunc({x}, x)
    with pytest.raises(UnusedInputError, match="Variable z is used twice in inputs"):
        g.function([z, x, z], z + x)
    with pytest.raises(TypeError, match="no_default_updates"):
        g.function([x], x, no_default_updates=1)
    w = g.shared(1.0, name="w")
    with pytest.raises(TypeError, match=r"Cannot use a shared variable \(w\) as explicit input"):
        g.function([w], w * 2)
    with pytest.raises(RuntimeError, match="is an input to your function"):
        g.function([x], x * 2, givens={x: x + 1})
    y = gt.dscalar("y")
    with pytest.raises(MissingInputError):
        g.function([x], x, updates={w: w + y})  # the update needs y
    assert MissingInputError is PathMissingInputError


def test_unused_inputs_are_reported_before_missing_ones():
    x, s = gt.dscalars("x", "s")
    with pytest.raises(UnusedInputError):
        g.function([s], [x])
    with pytest.raises(MissingInputError):
        g.function([s], [x], on_unused_input="ignore")


def test_default_update_of_an_unused_shared_variable_is_not_applied():
    a = g.shared(np.array(0, dtype="int64"))
    a.default_update = a + 1
    b = 2 * a
    f = g.function([b], b)  # b is given: a is never read
    assert int(f(21)) == 21 and int(a.get_value()) == 0
    used = g.function([], b)
    assert int(used()) == 0 and int(a.get_value()) == 1


def test_default_name_is_the_calling_line():
    x = gt.dscalar("x")
    f = g.function([x], x + 1)
    assert f.name.startswith(__file__ + ":")
    assert g.function([x], x, name="named").name == "named"


def test_function_value_map_and_container_storage_identity():
    x, s = gt.dscalars("x", "s")
    f = g.function([x, In(s, value=1.0, update=s * x)], s)
    assert float(f.value[s]) == 1.0 and float(f.value["s"]) == 1.0 and s in f.value
    f.value["s"] = 2.0
    assert float(f(3.0)) == 2.0 and float(f.value[1]) == 6.0
    box = f.container[s]
    assert box.storage is box.storage and list(box.storage) == [box.value]
    copied = f.copy()
    assert copied.container[s].storage is not box.storage
    assert float(copied.container[s].storage[0]) == 6.0
    with pytest.raises(IndexError):
        box.storage[1] = 0.0


def test_trust_input_with_a_missing_argument_is_the_checked_type_error():
    x, y = gt.dscalars("x", "y")
    f = g.function([x, y], x + y, trust_input=True)
    assert float(f(np.float64(1.0), np.float64(2.0))) == 3.0
    with pytest.raises(TypeError, match="missing required input") as info:
        f(np.float64(1.0))
    assert not isinstance(info.value, ValueError)


def test_a_copy_does_not_share_host_values():
    x, s = gt.dscalars("x", "s")
    f = g.function([x, In(s, value=np.array(4.0))], x + s)
    h = f.copy()
    assert h.value[s] is not f.value[s]
    f.value[s][...] = 9.0  # a host value mutated in place stays this function's own
    assert float(h(1.0)) == 5.0 and float(f(1.0)) == 10.0


def test_dict_outputs_need_string_keys():
    x = gt.dscalar("x")
    f = g.function([x], {"double": 2 * x, "half": x / 2})
    assert {k: float(v) for k, v in f(4.0).items()} == {"double": 8.0, "half": 2.0}
    with pytest.raises(TypeError, match="must be strings"):
        g.function([x], {1: x})
