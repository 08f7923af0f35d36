"""TensorType, the constructors, constants and PyTensor's dtype rules for python scalars."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.types.tensor_type import TensorType


@pytest.mark.parametrize(
    ("name", "dtype", "shape"),
    [
        ("dscalar", "float64", ()),
        ("fvector", "float32", (None,)),
        ("imatrix", "int32", (None, None)),
        ("lrow", "int64", (1, None)),
        ("bcol", "int8", (None, 1)),
        ("wtensor3", "int16", (None,) * 3),
        ("ztensor4", "complex128", (None,) * 4),
        ("cscalar", "complex64", ()),
    ],
)
def test_prefixed_constructors(name, dtype, shape):
    var = getattr(gt, name)("v")
    assert var.type == TensorType(dtype, shape)
    assert var.name == "v" and var.ndim == len(shape) and var.dtype == dtype


def test_generic_constructors_follow_floatx():
    assert gt.matrix().dtype == "float64"
    with g.config.change_flags(floatX="float32"):
        assert gt.matrix().dtype == "float32"
        assert gt.vector(dtype="int32").dtype == "int32"
    assert gt.tensor("float32", shape=(2, None)).type.shape == (2, None)
    assert gt.tensor("x", dtype="int64", shape=(3,)).name == "x"
    assert [v.name for v in gt.dscalars("a", "b")] == ["a", "b"]
    assert len(gt.fmatrices(3)) == 3


def test_constructor_errors():
    with pytest.raises(TypeError, match="fixes the dtype"):
        gt.dvector(dtype="float32")
    with pytest.raises(ValueError, match="dimensions"):
        gt.matrix(shape=(2,))
    with pytest.raises(TypeError, match="dtype"):
        TensorType("float16", (None,))


def test_broadcastable_and_repr():
    t = TensorType("float32", (1, None, 3))
    assert t.broadcastable == (True, False, False)
    assert repr(t) == "TensorType(float32, shape=(1, None, 3))"
    assert t == TensorType("float32", (1, None, 3)) and hash(t) == hash(
        TensorType("float32", (1, None, 3))
    )


def test_filter_casts_only_without_loss():
    fvec, ivec = TensorType("float32", (None,)), TensorType("int32", (None,))
    assert fvec.filter(np.array([1, 2], dtype="int8")).dtype == np.float32
    with pytest.raises(TypeError, match="losing precision"):
        fvec.filter(np.array([1.0], dtype="float64"))
    assert fvec.filter(np.array([1.0]), allow_downcast=True).dtype == np.float32
    assert ivec.filter([1, 2]).dtype == np.int32, "python ints that fit are accepted"
    with pytest.raises(OverflowError):  # PyTensor: numpy's conversion of an out-of-range int
        TensorType("int8", ()).filter(300)
    with pytest.raises(TypeError, match="strict"):
        fvec.filter(np.array([1], dtype="int8"), strict=True)


def test_filter_python_float_to_floatx_only_with_allow_downcast_none():
    fscalar = TensorType("float32", ())
    with g.config.change_flags(floatX="float32"):
        assert fscalar.filter(0.1, allow_downcast=None).dtype == np.float32
        with pytest.raises(TypeError):
            fscalar.filter(0.1, allow_downcast=False)
    with pytest.raises(TypeError):
        fscalar.filter(0.1, allow_downcast=None)  # floatX is float64 here


def test_filter_checks_ndim_and_static_shape():
    t = TensorType("float64", (2, None))
    with pytest.raises(TypeError, match="expected 2"):
        t.filter(np.zeros(3))
    with pytest.raises(TypeError, match="shape"):
        t.filter(np.zeros((3, 3)))
    assert t.filter(np.zeros((2, 5))).shape == (2, 5)


def test_filter_keeps_device_arrays_on_device():
    t = TensorType("float64", (None,))
    value = jnp.ones(3)
    assert t.filter(value) is value


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (2, "int8"),
        (300, "int16"),
        (2**40, "int64"),
        (2.0, "float32"),
        (0.1, "float64"),
        (True, "bool"),
        (np.float32(1.5), "float32"),
        # numpy scalars keep their dtype (np.float64 and np.complex128 subclass python's types)
        (np.float64(0.25), "float64"),
        (np.complex128(1j), "complex128"),
        (np.int64(3), "int64"),
        ([1.0, 0.1], "float64"),
    ],
)
def test_constant_autocasts_like_pytensor(value, dtype):
    assert gt.constant(value).dtype == dtype


def test_python_scalars_keep_narrow_dtypes_in_arithmetic():
    assert (gt.fvector() * 2.0).dtype == "float32"
    assert (gt.fvector() * 0.1).dtype == "float64"
    assert (gt.fvector() - np.float64(0.25)).dtype == "float64"  # not a python float
    assert (gt.ivector() + 2).dtype == "int32"
    assert (gt.dscalar() * 2).dtype == "float64"


def test_as_tensor_variable():
    x = gt.dvector()
    assert gt.as_tensor_variable(x) is x
    assert gt.as_tensor_variable([[1, 2]]).type.shape == (1, 2)
    with pytest.raises(TypeError):
        gt.as_tensor_variable(x, ndim=2)
    with pytest.raises(TypeError):
        gt.as_tensor_variable(object())


def test_symbolic_variables_have_no_truth_value():
    with pytest.raises(TypeError, match="truth value"):
        bool(gt.dscalar() > 0)


def test_tensor_type_positional_arguments_as_pytensor():
    """``TensorType(dtype, shape, name, broadcastable)``: the third positional is the name."""
    t = gt.TensorType("float32", (None, 3), "x")
    assert (t.shape, t.name) == ((None, 3), "x")


def test_as_tensor_is_pytensors_short_name():
    assert gt.as_tensor is gt.as_tensor_variable
    assert gt.as_tensor([1.0, 2.0], name="c").name == "c"
