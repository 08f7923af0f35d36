"""PyTensor's documentation snippets on compiling, inputs and outputs, shapes and debugging.

Copied as in :mod:`tests.test_pytensor_scripts` (verbatim, only the imports changed, checked
against PyTensor 3.0.7): doc/library/compile/{function,io}.rst, doc/library/tensor/basic.rst,
doc/tutorial/{aliasing,shape_info,modes,debug_faq}.rst and
doc/gallery/introduction/pytensor_intro.ipynb (commit f857e69611b9 unless noted).
"""

from __future__ import annotations

import numpy
import numpy as np
import pytest

import graph2jax as pytensor
import graph2jax.tensor as pt
from graph2jax import function


# doc/library/compile/function.rst: the first example and "Shared variables and updates"
def test_function_page_examples():
    x = pytensor.tensor.dscalar()
    f = pytensor.function([x], 2 * x)
    assert f(4) == 8.0

    from graph2jax import shared

    s = shared(0.0, name="s")
    x = pt.scalar("x")
    inc = function([x], s, updates={s: s + x})
    assert inc(5) == 0.0  # returns 0, then s becomes 0 + 5
    assert inc(3) == 5.0  # returns 5, then s becomes 5 + 3
    assert s.get_value() == 8.0


# doc/library/compile/io.rst at commit bad319f2ef46 (before the input-tuple
# shortcuts were removed): an In with an update and a value, read and written
# through f[var] (as for the previous In test, PyTensor 3.0.7 refuses In(value=...))
def test_in_with_update_and_value():
    from graph2jax.compile.io import In

    u, x, s = pt.scalars("u", "x", "s")
    inc = function([u, In(x, value=3), In(s, update=(s + x * u), value=10.0)], [])
    assert inc(5) == []  # update s with 10+3*5
    assert inc[s] == 25.0
    assert inc(3, 4) == []  # update s with 25 + 3*4
    assert inc[s] == 37.0
    assert inc[x] == 3.0  # the override value of 4 was only temporary
    assert inc(3, 4, 7) == []  # update s with 7 + 3*4
    assert inc[s] == 19.0
    inc[s] = 10
    assert inc[s] == 10.0


# doc/library/compile/io.rst: "Outputs" (a list with an Out(borrow=True), a
# list of one, a single variable) and doc/tutorial/aliasing.rst, In/Out borrow
def test_outputs_and_borrow():
    from graph2jax.compile.io import In, Out

    x, y, s = pt.matrices("xys")
    assert [v.name for v in (x, y, s)] == ["x", "y", "s"]

    # print a list of 2 ndarrays
    fn1 = pytensor.function([x], [x + x, Out((x + x).T, borrow=True)])
    out = fn1(numpy.asarray([[1, 0], [0, 1]]))
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_array_equal(out[0], [[2.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(np.asarray(out[1]), [[2.0, 0.0], [0.0, 2.0]])

    # print a list of 1 ndarray
    fn2 = pytensor.function([x], [x + x])
    out = fn2(numpy.asarray([[1, 0], [0, 1]]))
    assert isinstance(out, list) and len(out) == 1
    np.testing.assert_array_equal(out[0], [[2.0, 0.0], [0.0, 2.0]])

    # print an ndarray
    fn3 = pytensor.function([x], outputs=x + x)
    np.testing.assert_array_equal(fn3(numpy.asarray([[1, 0], [0, 1]])), [[2.0, 0.0], [0.0, 2.0]])

    x = pt.matrix()
    y = 2 * x
    f = pytensor.function([In(x, borrow=True)], Out(y, borrow=True))
    np.testing.assert_array_equal(np.asarray(f(np.ones((2, 2)))), np.full((2, 2), 2.0))


# doc/tutorial/aliasing.rst: "Borrowing when Creating Shared Variables" and
# "Borrowing when Accessing Value of Shared Variables". The page says the
# aliasing of s_true is not guaranteed (graph2jax keeps values on the device, so
# it does not happen); the copies of s_default and s_false are.
def test_shared_borrow_semantics():
    np_array = numpy.ones(2, dtype="float32")

    s_default = pytensor.shared(np_array)
    s_false = pytensor.shared(np_array, borrow=False)
    s_true = pytensor.shared(np_array, borrow=True)

    np_array += 1  # now it is an array of 2.0 s

    np.testing.assert_array_equal(s_default.get_value(), [1.0, 1.0])
    np.testing.assert_array_equal(s_false.get_value(), [1.0, 1.0])
    assert s_true.get_value().dtype == np.float32

    s = pytensor.shared(np_array)

    v_false = s.get_value(borrow=False)  # N.B. borrow default is False
    v_true = s.get_value(borrow=True)
    v_internal = s.get_value(borrow=True, return_internal_type=True)
    assert isinstance(v_false, np.ndarray)
    for v in (v_true, v_internal):
        np.testing.assert_array_equal(np.asarray(v), [2.0, 2.0])

    def some_inplace_fn(v):
        return v

    s.set_value(some_inplace_fn(s.get_value(borrow=True)), borrow=True)
    np.testing.assert_array_equal(s.get_value(), [2.0, 2.0])


# doc/library/tensor/basic.rst: constructors, plural constructors, custom
# TensorTypes, cast, shape_padaxis, complex arithmetic and the operator dtypes
def test_tensor_constructors_and_types():
    from graph2jax.types.tensor_type import TensorType

    x = pt.scalar("myvar", dtype="int32")
    x = pt.iscalar("myvar")
    x = pt.tensor(dtype="int32", shape=(), name="myvar")
    x = TensorType(dtype="int32", shape=())("myvar")
    assert x.type == pt.iscalar and x.name == "myvar"

    x = pt.dmatrix()  # creates one Variable with no name
    x = pt.dmatrix("x")  # creates one Variable with name 'x'
    xyz = pt.dmatrix("xyz")  # creates one Variable with name 'xyz'
    assert x.name == "x" and xyz.name == "xyz" and x.type is pt.dmatrix

    # Creates three matrix `Variable`s with no names
    x, y, z = pt.dmatrices(3)
    # Creates three matrix `Variables` named 'x', 'y' and 'z'
    x, y, z = pt.dmatrices("x", "y", "z")
    assert [v.name for v in (x, y, z)] == ["x", "y", "z"]

    dtensor8 = TensorType(dtype="float64", shape=(None,) * 8)
    x = dtensor8()
    z = dtensor8("z")
    assert z.ndim == 8 and z.name == "z"
    my_dmatrix = TensorType("float64", shape=(None,) * 2)
    x = my_dmatrix()  # allocate a matrix variable
    assert my_dmatrix == pt.dmatrix

    x = pt.matrix()
    x_as_int = pt.cast(x, "int32")
    assert x_as_int.dtype == "int32"

    x = pt.zmatrix()
    y = 3 + 0.2j * x.T
    assert y.dtype == "complex128"

    tensor = pytensor.tensor.type.tensor3()
    assert pytensor.tensor.shape_padaxis(tensor, axis=0).type.shape == (1, None, None, None)
    assert pytensor.tensor.shape_padaxis(tensor, axis=1).type.shape == (None, 1, None, None)
    assert pytensor.tensor.shape_padaxis(tensor, axis=3).type.shape == (None, None, None, 1)
    assert pytensor.tensor.shape_padaxis(tensor, axis=-1).type.shape == (None, None, None, 1)

    # "Converting from Python Objects": python numbers get the smallest dtype that holds them
    assert pt.as_tensor_variable(1).dtype == "int8"
    assert pt.as_tensor_variable(1.5).dtype == "float32"
    assert pt.as_tensor_variable(0.1).dtype == "float64"

    # "Operator Support"; the dtypes are PyTensor 3.0.7's
    a, b = pt.itensor3(), pt.itensor3()  # example inputs
    results = [a + 3, 3 - a, a * 3.5, 2.2 / a, 2.2 // a, 2.2**a, b % a, a & b, a ^ 1, a | b, ~a]
    assert [r.dtype for r in results] == ["int32"] * 2 + ["float64"] * 4 + ["int32"] * 5
    assert all(r.type.shape == (None,) * 3 for r in results)


# doc/library/tensor/basic.rst: `stack`, `concatenate` and `stacklists`
def test_stack_concatenate_stacklists():
    a = pytensor.tensor.type.scalar()
    b = pytensor.tensor.type.scalar()
    c = pytensor.tensor.type.scalar()
    x = pytensor.tensor.stack([a, b, c])
    assert x.ndim == 1  # x is a vector of length 3.
    a = pytensor.tensor.type.tensor4()
    b = pytensor.tensor.type.tensor4()
    c = pytensor.tensor.type.tensor4()
    x = pytensor.tensor.stack([a, b, c])
    assert x.ndim == 5  # x is a 5d tensor.
    rval = x.eval(dict((t, np.zeros((2, 2, 2, 2))) for t in [a, b, c]))
    assert rval.shape == (3, 2, 2, 2, 2)  # 3 tensors are stacked on axis 0
    x = pytensor.tensor.stack([a, b, c], axis=3)
    assert x.ndim == 5
    rval = x.eval(dict((t, np.zeros((2, 2, 2, 2))) for t in [a, b, c]))
    assert rval.shape == (2, 2, 2, 3, 2)  # 3 tensors are stacked on axis 3
    x = pytensor.tensor.stack([a, b, c], axis=-2)
    assert x.ndim == 5
    rval = x.eval(dict((t, np.zeros((2, 2, 2, 2))) for t in [a, b, c]))
    assert rval.shape == (2, 2, 2, 3, 2)  # 3 tensors are stacked on axis -2

    x0 = pt.fmatrix()
    x1 = pt.ftensor3()
    x2 = pt.fvector()
    x = pt.concatenate([x0, x1[0], pt.shape_padright(x2)], axis=1)
    assert x.ndim == 2

    from graph2jax.tensor import matrices, scalars, stacklists

    a, b, c, d = scalars("abcd")
    X = stacklists([[a, b], [c, d]])
    f = function([a, b, c, d], X)
    np.testing.assert_array_equal(f(1, 2, 3, 4), [[1.0, 2.0], [3.0, 4.0]])

    from numpy import ones

    a, b, c, d = matrices("abcd")
    X = stacklists([[a, b], [c, d]])
    f = function([a, b, c, d], X)
    x = ones((4, 4), "float32")
    assert f(x, x, x, x).shape == (2, 2, 4, 4)


# doc/library/tensor/basic.rst: `mgrid` and `ogrid`
def test_mgrid_ogrid():
    a = pt.mgrid[0:5, 0:3]
    np.testing.assert_array_equal(a[0].eval(), np.mgrid[0:5, 0:3][0])
    b = pt.ogrid[0:5, 0:3]
    np.testing.assert_array_equal(b[1].eval(), np.ogrid[0:5, 0:3][1])


# doc/tutorial/shape_info.rst: joining mismatched matrices fails at run time
def test_shape_info_join_mismatch_raises():
    x = pytensor.tensor.matrix("x")
    y = pytensor.tensor.matrix("y")
    z = pytensor.tensor.join(0, x, y)
    xv = np.random.random((5, 4))
    yv = np.random.random((3, 3))
    f = pytensor.function([x, y], z)  # Do not take the shape.
    with pytest.raises(ValueError):
        f(xv, yv)


# doc/tutorial/shape_info.rst: "Specifying Exact Shape"
def test_shape_info_specify_shape():
    x = pytensor.tensor.matrix()
    x_specify_shape = pytensor.tensor.specify_shape(x, (2, 2))
    f = pytensor.function([x], (x_specify_shape**2).shape)
    np.testing.assert_array_equal(f(np.ones((2, 2))), [2, 2])


# doc/tutorial/debug_faq.rst: "Interpreting Error Messages", the faulty code
def test_debug_faq_shape_mismatch_raises_value_error():
    x = pt.vector()
    y = pt.vector()
    z = x + x
    z = z + y
    f = pytensor.function([x, y], z)
    with pytest.raises(ValueError):
        f(np.ones((2,)), np.ones((3,)))


# doc/tutorial/modes.rst: "Using DebugMode"
def test_debug_mode_example():
    x = pt.dvector("x")

    f = pytensor.function([x], 10 * x, mode="DebugMode")

    np.testing.assert_array_equal(f([5]), [50.0])
    np.testing.assert_array_equal(f([0]), [0.0])
    np.testing.assert_array_equal(f([7]), [70.0])


# doc/tutorial/debug_faq.rst: "How do I Step through a Compiled Function?" (MonitorMode)
def test_monitor_mode_example():
    seen = []

    def inspect_inputs(fgraph, i, node, fn):
        seen.append([input[0] for input in fn.inputs])

    def inspect_outputs(fgraph, i, node, fn):
        seen.append([output[0] for output in fn.outputs])

    x = pytensor.tensor.dscalar("x")
    f = pytensor.function(
        [x],
        [5 * x],
        mode=pytensor.compile.MonitorMode(pre_func=inspect_inputs, post_func=inspect_outputs),
    )
    f(3)
    assert seen == [[5.0, 3.0], [15.0]]


# doc/gallery/introduction/pytensor_intro.ipynb, cells 11, 14 and 30: a graph
# printed with the variable's dprint method
def test_intro_notebook_dprint(capsys):
    x = pt.tensor(shape=(3,), dtype="float64")  # Symbolic vector
    y = pt.log(1 + x)  # Symbolic computation
    y.dprint()
    assert "log" in capsys.readouterr().out.lower()

    a = pt.tensor("b", shape=(None,))
    b = 2 * pt.pi * a
    c = pt.sin(b)
    d = 1 + c
    d.dprint()
    assert a.name == "b" and a.dtype == "float64", "a one-letter name is not a dtype code"
    printed = capsys.readouterr().out.lower()
    assert "sin" in printed and "b [id" in printed
    np.testing.assert_allclose(d.eval({a: np.array([0.0, 0.25])}), [1.0, 2.0])


# doc/gallery/introduction/pytensor_intro.ipynb, cells 75-82: one compiled
# function called on vectors of two lengths
def test_intro_notebook_compiled_function_any_length():
    x = pt.vector("x", shape=(None,))
    z = pt.exp(pt.sin(x))
    out = pt.cos((z[None, :] @ z[:, None]).squeeze())
    y_fn = pytensor.function([x], out)
    assert isinstance(y_fn, pytensor.compile.Function)
    for n in (3, 5):
        v = np.random.default_rng(n).standard_normal(n)
        zv = np.exp(np.sin(v))
        np.testing.assert_allclose(y_fn(v), np.cos(zv @ zv), rtol=1e-12)


# doc/gallery/introduction/pytensor_intro.ipynb, cells 30, 32 and 70: graph_replace
# imported from pytensor.graph.replace
def test_intro_notebook_graph_replace():
    a = pt.tensor("b", shape=(None,))
    b = 2 * pt.pi * a
    c = pt.sin(b)
    d = 1 + c
    from graph2jax.graph.replace import graph_replace

    z2 = graph_replace(d, {c: pt.cos(b)})
    np.testing.assert_allclose(z2.eval({a: np.array([0.0, 0.5])}), [2.0, 0.0], atol=1e-12)
