"""PyTensor's dtype rules for the elementwise functions (graph2jax/ops/scalar.py and the
tables of graph2jax/ops/math.py): output dtypes, refused dtypes and arities, ``cast``, and
the scalar-op registry."""

from __future__ import annotations

import pickle

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from tests.helpers import compare_jax_and_numpy

# graph construction only

DTYPE_CASES = [
    # PyTensor's TrueDiv: integers alone divide into floatX, whatever their width
    (lambda: gt.ivector() / gt.ivector(), "float64"),
    (lambda: gt.bvector() / gt.bvector(), "float64"),
    (lambda: gt.wvector() / gt.vector(dtype="bool"), "float64"),
    (lambda: gt.bvector() / gt.fvector(), "float32"),
    (lambda: gt.lvector() / gt.fvector(), "float64"),
    (lambda: gt.fvector() * 2.0, "float32"),
    (lambda: gt.fvector() * 0.1, "float64"),
    (lambda: gt.fvector() + 1, "float32"),
    (lambda: gt.bvector() + gt.ivector(), "int32"),
    (lambda: gt.ivector() // gt.ivector(), "int32"),
    (lambda: gt.lvector() % gt.bvector(), "int64"),
    (lambda: gt.fvector() // gt.fvector(), "float32"),
    (lambda: gt.exp(gt.ivector()), "float64"),
    (lambda: gt.sqrt(gt.bvector()), "float32"),
    (lambda: gt.floor(gt.ivector()), "float64"),
    (lambda: gt.lt(gt.fvector(), gt.dvector()), "bool"),
    (lambda: gt.isnan(gt.ivector()), "bool"),
    (lambda: gt.abs(gt.cvector()), "float32"),
    (lambda: gt.abs(gt.zvector()), "float64"),
    (lambda: gt.real(gt.cvector()), "float32"),
    (lambda: gt.pow(gt.vector(dtype="bool"), gt.vector(dtype="bool")), "int8"),
    (lambda: gt.and_(gt.vector(dtype="bool"), gt.vector(dtype="bool")), "bool"),
    (lambda: gt.or_(gt.vector(dtype="bool"), gt.bvector()), "int8"),
    (lambda: gt.complex(gt.fvector(), gt.fvector()), "complex64"),
    (lambda: gt.switch(gt.bvector(), gt.fvector(), gt.ivector()), "float64"),
    (lambda: gt.clip(gt.ivector(), 0, 5), "int32"),
]


@pytest.mark.parametrize("build, dtype", DTYPE_CASES)
def test_output_dtype_follows_pytensor(build, dtype):
    assert build().dtype == dtype


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: gt.round(gt.ivector()), "only float32 and float64"),
        (lambda: gt.round_half_away_from_zero(gt.lvector()), "only float32 and float64"),
        (lambda: gt.and_(gt.dvector(), gt.ivector()), "bitwise"),
        (lambda: ~gt.fvector(), "bitwise"),
        (lambda: gt.sign(gt.vector(dtype="bool")), "bool"),
        (lambda: -gt.vector(dtype="bool"), "bool"),
        (lambda: gt.clip(gt.zvector(), 0, 1), "complex"),
        (lambda: gt.floor(gt.zvector()), "complex"),
        (lambda: gt.exp.op(gt.dvector(), gt.dvector()), "takes 1 inputs"),
    ],
)
def test_refused_dtypes_and_arities_raise_type_error(build, match):
    with pytest.raises(TypeError, match=match):
        build()


@pytest.mark.parametrize(
    "name", ["erf", "gamma", "gammaln", "psi", "sigmoid", "softplus", "arctan2", "mod", "int_div"]
)
def test_functions_numpy_or_jax_cannot_compute_on_complex_refuse_it_when_built(name):
    fn = getattr(gt, name)
    z = gt.zvector("z")
    with pytest.raises(TypeError, match="'z'.*complex inputs are not supported"):
        fn(*[z] * fn.op.scalar_op.nin)


def test_true_div_of_integers_gives_float_x():
    from graph2jax.config import config

    with config.change_flags(floatX="float32"):
        a, b = gt.ivector("a"), gt.ivector("b")
        out = a / b
    assert out.dtype == "float32"
    va, vb = np.array([1, -7, 9], "int32"), np.array([3, 2, 4], "int32")
    compare_jax_and_numpy([a, b], out, [va, vb], expected=(va / vb).astype("float32"))


def test_bad_round_mode_and_half_where_raise_value_error():
    with pytest.raises(ValueError, match="half_to_even"):
        gt.round(gt.dvector(), "up")
    with pytest.raises(ValueError, match="both"):
        gt.where(gt.bvector(), gt.dvector())


def test_conj_of_real_input_is_the_input():
    x = gt.dvector("x")
    assert gt.conj(x) is x and gt.conjugate(x) is x


def test_aliases_are_pytensor_names():
    assert gt.bitwise_and is gt.and_ and gt.bitwise_not is gt.invert
    assert gt.expit is gt.sigmoid and gt.floor_div is gt.int_div


def test_elemwise_op_pickles_and_compares_by_scalar_op():
    op = gt.exp.op
    assert pickle.loads(pickle.dumps(op)) == op
    assert op != gt.log.op and hash(op) == hash(gt.exp.op)


_DTYPES = st.sampled_from(["bool", "int8", "int16", "int32", "int64", "uint8", "float32"])


@settings(max_examples=10)
@given(a=_DTYPES, b=_DTYPES | st.sampled_from(["float64", "uint16", "complex64"]))
def test_arithmetic_dtype_is_numpy_result_type(a, b):
    x, y = gt.vector(dtype=a), gt.vector(dtype=b)
    assert (x + y).dtype == str(np.result_type(a, b))
    assert gt.maximum(x, y).dtype == str(np.result_type(a, b))


def test_a_scalar_op_name_defined_twice_is_refused():
    from graph2jax.ops.scalar import scalar_op

    with pytest.raises(ValueError, match="defined twice"):
        scalar_op("exp", 1, np.exp, jnp.exp)


def test_cast_matches_numpy_astype_and_refuses_complex_to_real():
    from graph2jax.config import config

    x = gt.dvector("x")
    v = np.array([-1.7, -0.5, 0.0, 2.9, 3.0])
    outs = [gt.cast(x, "int32"), gt.cast(x, "float32"), gt.cast(x, "bool"), gt.cast(x, "floatX")]
    assert [o.dtype for o in outs] == ["int32", "float32", "bool", config.floatX]
    assert gt.cast(x, "float64") is x
    expected = [v.astype("int32"), v.astype("float32"), v.astype(bool), v.astype(config.floatX)]
    compare_jax_and_numpy([x], outs, [v], expected=expected)
    # truncating to integers has a zero gradient, as in PyTensor
    np.testing.assert_array_equal(g.grad(gt.sum(outs[0]), x).eval({x: v}), np.zeros(5))
    with pytest.raises(TypeError, match="'z'.*ambiguous"):
        gt.cast(gt.zvector("z"), "float64")
    assert gt.cast(gt.zvector("z"), "complex64").dtype == "complex64"
