"""The call's fast entries (graph2jax/compile/entry.py): same results and errors as the general path."""

import functools
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.profiling import ProfileStats
from graph2jax.graph.errors import ShapeMismatchError

A = np.array([1.0, 2.0, 3.0])
B = np.array([[1.0], [2.0]])


@pytest.fixture(scope="module")
def fns():
    x, y = gt.dvector("x"), gt.dmatrix("y")
    return {
        "one": g.function([x], x * 2),
        "two": g.function([x, y], [x.sum(), (y * x).sum()]),
        "dict": g.function([x], {"double": x * 2, "total": x.sum()}),
        "dot": g.function([x, y], gt.dot(y, x)),
    }


def test_a_linked_function_is_called_through_its_generated_entry(fns):
    f = fns["one"]
    assert isinstance(f, functools.partial)
    np.testing.assert_array_equal(f(A), A * 2)  # links
    assert f.func.__name__ == "entry" and f.func.__code__.co_filename == "<graph2jax.compile.entry>"


@pytest.mark.parametrize(
    "value",
    [A, [1.0, 2.0, 3.0], (1, 2, 3), A.astype("float32"), jnp.asarray(A), A[::-1].copy()],
    ids=["array", "list", "ints", "float32", "device", "copy"],
)
def test_every_argument_form_gives_the_general_paths_result(fns, value):
    f = fns["one"]
    out = f(value)  # float32 upcast by the general path's filter, as PyTensor
    assert type(out) is np.ndarray and out.flags.writeable
    np.testing.assert_array_equal(out, np.asarray(value, dtype="float64") * 2)
    np.testing.assert_array_equal(f(x=value), out)


def test_outputs_are_fresh_writable_arrays(fns):
    f = fns["one"]
    first = f(A)
    first[0] = 100.0
    np.testing.assert_array_equal(f(A), A * 2)
    assert not np.shares_memory(f(A), f(A))


def test_several_and_named_outputs(fns):
    total, weighted = fns["two"](A[:1], B)
    assert total == 1.0 and weighted == 3.0
    out = fns["dict"](A)
    np.testing.assert_array_equal(out["double"], A * 2)
    assert out["total"] == 6.0
    assert fns["two"](A[:1], B, output_subset=[1]) == [3.0]


def test_errors_are_the_general_paths(fns):
    f = fns["one"]
    with pytest.raises(TypeError, match="expects TensorType\\(float64, shape=\\(None,\\)\\)"):
        f(np.ones((2, 2)))
    with pytest.raises(TypeError):
        f()
    with pytest.raises(TypeError, match="expects TensorType\\(float64"):
        f(A.astype("complex128"))
    with pytest.raises(TypeError):
        f(A, A)
    with pytest.raises(ShapeMismatchError, match="do not fit the graph's shapes"):
        fns["dot"](A, B)
    np.testing.assert_array_equal(fns["dot"](A[:1], B), B @ A[:1])


def test_trusted_borrowed_single_output_is_the_jitted_function():
    x = gt.dvector("x")
    f = g.function([x], g.Out(x + 1, borrow=True))
    f(A)
    f.trust_input = True
    assert f.func is f.maker.linked().single
    out = f(jnp.asarray(A))
    assert isinstance(out, jax.Array)
    np.testing.assert_array_equal(out, A + 1)
    f.trust_input = False
    assert isinstance(f(A), jax.Array) and f.func is not f.maker.linked().single


def test_trusted_entries_convert_and_keep_keywords():
    x = gt.dvector("x")
    f = g.function([x], [x + 1, x * 3])
    f.trust_input = True
    first, second = f(A)
    assert type(first) is np.ndarray and first.flags.writeable
    np.testing.assert_array_equal(second, A * 3)
    np.testing.assert_array_equal(f(A, output_subset=[1])[0], A * 3)


def test_profiling_uses_the_general_entry():
    x = gt.dvector("x")
    f = g.function([x], x * 2)
    f(A)
    f.profile = ProfileStats(name="p")
    f(A)
    f(A)
    assert f.profile.call_count == 2
    f.profile = None
    f(A)
    assert f.func.__name__ == "entry"


def test_pickled_and_copied_functions_route_again():
    x = gt.dvector("x")
    f = g.function([x], x * 2)
    f(A)
    f.trust_input = True
    for h in (pickle.loads(pickle.dumps(f)), f.copy()):
        assert h.trust_input
        np.testing.assert_array_equal(h(A), A * 2)
    f.free()
    assert f.func == f._call
    np.testing.assert_array_equal(f(A), A * 2)


def test_a_function_kept_on_a_class_is_not_bound_to_its_instances():
    x = gt.dvector("x")

    class Model:
        double = g.function([x], x * 2)

    model = Model()
    # what attribute access does once functools.partial binds (Python 3.14)
    assert Model.__dict__["double"].__get__(model, Model) is Model.double
    assert model.double is Model.double
    np.testing.assert_array_equal(model.double(A), A * 2)
