"""Products: values and dtypes against numpy, batch broadcasting, einsum strings, static errors, gradients.

Op classes are reached through ``gt`` (the doctest run may import op modules a second time).

Compilations are few: one function per dtype pair computes every product case at once.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from tests.helpers import Case, check_infer_shape, check_op, jax_grad_cases

RNG = np.random.default_rng(7)


def _value(dtype: str, shape: tuple) -> np.ndarray:
    if dtype.startswith("int"):
        return RNG.integers(-3, 4, size=shape).astype(dtype)
    return RNG.normal(size=shape).astype(dtype)


# name -> (shape of a, shape of b, graph builder, numpy formula); static shapes as given
PRODUCTS = {
    "dot_vv": ((4,), (4,), gt.dot, np.dot),
    "dot_mv": ((3, 4), (4,), gt.dot, np.dot),
    "dot_vm": ((3,), (3, 4), gt.dot, np.dot),
    "dot_mm": ((2, 3), (3, 4), gt.dot, np.dot),
    "dot_scalar": ((), (2, 3), gt.dot, np.dot),
    "dot_3d_2d": ((2, 3, 4), (4, 5), gt.dot, np.dot),
    "dot_3d_3d": ((2, 3, 4), (5, 4, 2), gt.dot, np.dot),
    "matmul_operator": ((2, 3), (3, 4), lambda a, b: a @ b, np.matmul),
    "matmul_batch": ((5, 3, 4), (5, 4, 2), gt.matmul, np.matmul),
    "matmul_broadcast": ((2, 1, 3, 4), (6, 4, 2), gt.matmul, np.matmul),
    "matmul_vector_batch": ((4,), (2, 4, 3), gt.matmul, np.matmul),
    "matmul_batch_vector": ((2, 3, 4), (4,), gt.matmul, np.matmul),
    "matmul_vv": ((4,), (4,), gt.matmul, np.matmul),
    "tensordot_2": ((2, 3, 4), (3, 4, 5), gt.tensordot, np.tensordot),
    "tensordot_0": (
        (2, 3),
        (4,),
        lambda a, b: gt.tensordot(a, b, 0),
        lambda a, b: np.tensordot(a, b, 0),
    ),
    "tensordot_pairs": (
        (2, 3, 4),
        (4, 2),
        lambda a, b: gt.tensordot(a, b, [[0, 2], [1, 0]]),
        lambda a, b: np.tensordot(a, b, [[0, 2], [1, 0]]),
    ),
    "outer": ((3,), (4,), gt.outer, np.outer),
    "outer_flattens": ((2, 2), (3,), gt.outer, np.outer),
    "einsum_matrix_product": (
        (2, 3),
        (3, 4),
        lambda a, b: gt.einsum("ij,jk->ik", a, b),
        lambda a, b: np.einsum("ij,jk->ik", a, b),
    ),
    "einsum_trace": (
        (3, 3),
        (2,),
        lambda a, b: gt.einsum("ii,j", a, b),
        lambda a, b: np.trace(a) * b,
    ),
    "einsum_batch": (
        (5, 2, 3),
        (5, 3, 4),
        lambda a, b: gt.einsum("bij,bjk->bik", a, b),
        lambda a, b: np.einsum("bij,bjk->bik", a, b),
    ),
    "einsum_outer": ((3,), (4,), lambda a, b: gt.einsum("i,j", a, b), np.outer),
    "einsum_implicit_transpose": (
        (2, 3),
        (3,),
        lambda a, b: gt.einsum("ji,k", a, b),
        lambda a, b: np.einsum("ji,k", a, b),
    ),
    "einsum_ellipsis": (
        (2, 1, 3, 4),
        (5, 4, 3),
        lambda a, b: gt.einsum("...ij,...jk->...ik", a, b),
        lambda a, b: np.einsum("...ij,...jk->...ik", a, b),
    ),
    "einsum_sum_all": (
        (2, 3),
        (3,),
        lambda a, b: gt.einsum("ij,j->", a, b),
        lambda a, b: a.sum(0) @ b,
    ),
    "batched_dot_3d": ((4, 2, 3), (4, 3, 5), gt.batched_dot, np.matmul),
    "batched_dot_2d": ((4, 3), (4, 3), gt.batched_dot, lambda a, b: (a * b).sum(-1)),
    "batched_dot_3d_2d": (
        (4, 2, 3),
        (4, 3),
        gt.batched_dot,
        lambda a, b: np.einsum("bij,bj->bi", a, b),
    ),
    "batched_dot_vector": ((4,), (4, 3), gt.batched_dot, lambda a, b: a[:, None] * b),
}

DTYPE_PAIRS = [
    ("float64", "float64"),
    ("float32", "float32"),
    ("int32", "int32"),
    ("int64", "int64"),
    ("float32", "float64"),
    ("int32", "float32"),
]


@pytest.mark.parametrize("dtypes", DTYPE_PAIRS, ids="-".join)
def test_products_match_numpy_with_numpy_dtypes(dtypes):
    da, db = dtypes
    inputs, values, cases = [], [], {}
    for k, (name, (sa, sb, build, formula)) in enumerate(PRODUCTS.items()):
        inputs += [
            gt.tensor(da, shape=sa, name=f"{name}_a"),
            gt.tensor(db, shape=sb, name=f"{name}_b"),
        ]
        values += [_value(da, sa), _value(db, sb)]
        # the dtype is numpy's promotion of the operands', whatever the formula returns
        cases[name] = Case(build, formula, dtype=np.result_type(da, db), args=(2 * k, 2 * k + 1))
    check_op(cases, inputs, values, exact_static_shapes=True)


def test_products_keep_unknown_lengths_unknown_and_broadcast_static_ones():
    a, b = gt.tensor("float64", shape=(None, 1, None, 4)), gt.tensor("float64", shape=(6, None, 2))
    assert gt.matmul(a, b).type.shape == (None, 6, None, 2)
    assert gt.dot(gt.dmatrix(), gt.dvector()).type.shape == (None,)
    assert gt.einsum("ij,jk", gt.dmatrix(), gt.dmatrix()).type.shape == (None, None)


def test_matmul_dtype_casts_the_result():
    out = gt.matmul(gt.imatrix("a"), gt.imatrix("b"), dtype="float32")
    assert out.dtype == "float32"
    assert gt.matmul(gt.fmatrix(), gt.fmatrix()).dtype == "float32"


def test_products_build_dot_and_einsum_nodes():
    assert isinstance((gt.dmatrix() @ gt.dmatrix()).owner.op, gt.Dot)
    assert isinstance(gt.dmatrix().dot(gt.dvector()).owner.op, gt.Dot)
    node = gt.matmul(gt.dtensor3(), gt.dmatrix()).owner
    assert isinstance(node.op, gt.Einsum) and str(node.op) == "Einsum{Aij,jk->Aik}"
    assert gt.Einsum("ij,jk->ik") == gt.Einsum("ij,jk->ik", "matmul")


def test_infer_shape_matches_the_computed_shapes():
    x, y, t = gt.dmatrix("x"), gt.dmatrix("y"), gt.dtensor3("t")
    outs = [gt.dot(x, y), gt.dot(x[0], y), gt.matmul(t, y), gt.einsum("ij,jk->ik", x, y)]
    outs += [gt.einsum("ii->i", y), gt.tensordot(t, x, [[1], [0]])]
    check_infer_shape([x, y, t], outs, [np.ones((3, 4)), np.ones((4, 4)), np.ones((2, 3, 4))])


@pytest.mark.parametrize(
    "build, error, words",
    [
        (
            lambda: gt.dot(gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(4, 5))),
            ValueError,
            ["(2, 3)", "(4, 5)"],
        ),
        (
            lambda: gt.dot(gt.dvector(shape=(3,)), gt.dvector(shape=(4,))),
            ValueError,
            ["(3,)", "(4,)"],
        ),
        (
            lambda: gt.dot(gt.dtensor3(shape=(2, 3, 4)), gt.dmatrix(shape=(5, 6))),
            ValueError,
            ["(2, 3, 4)", "(5, 6)"],
        ),
        (
            lambda: gt.matmul(gt.dtensor3(shape=(2, 3, 4)), gt.dtensor3(shape=(2, 5, 6))),
            ValueError,
            ["matmul", "(2, 3, 4)", "(2, 5, 6)"],
        ),
        (
            lambda: gt.matmul(gt.dtensor3(shape=(2, 3, 4)), gt.dtensor3(shape=(3, 4, 6))),
            ValueError,
            ["matmul", "[2, 3]"],
        ),
        (lambda: gt.matmul(gt.dscalar(), gt.dmatrix()), ValueError, ["scalar"]),
        (lambda: gt.Dot()(gt.dtensor3(), gt.dmatrix()), TypeError, ["1 or 2 dimensions"]),
        (lambda: gt.Dot()(gt.dscalar(), gt.dmatrix()), TypeError, ["1 or 2 dimensions"]),
        (lambda: gt.tensordot(gt.dmatrix(), gt.dmatrix(), 3), ValueError, ["axes=3"]),
        (
            lambda: gt.tensordot(gt.dmatrix(), gt.dmatrix(), [[0], [0, 1]]),
            ValueError,
            ["different numbers"],
        ),
        (lambda: gt.tensordot(gt.dmatrix(), gt.dmatrix(), [[2], [0]]), ValueError, ["invalid"]),
        (
            lambda: gt.tensordot(gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(3, 2))),
            ValueError,
            ["(2, 3)"],
        ),
        (lambda: gt.einsum("ij,jk->ik", gt.dmatrix()), ValueError, ["2 operand(s), 1 given"]),
        (lambda: gt.einsum("ijk", gt.dmatrix()), ValueError, ["2 dimension(s)", "'ijk'"]),
        (lambda: gt.einsum("ij->ii", gt.dmatrix()), ValueError, ["once"]),
        (lambda: gt.einsum("ij->k", gt.dmatrix()), ValueError, ["once"]),
        (lambda: gt.einsum("i$", gt.dmatrix()), ValueError, ["invalid"]),
        (lambda: gt.einsum("...i->i", gt.dmatrix()), ValueError, ["'...'"]),
        (
            lambda: gt.einsum("bi,bi->b", gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(4, 3))),
            ValueError,
            ["einsum", "(2, 3)", "(4, 3)"],
        ),
        (lambda: gt.batched_dot(gt.dscalar(), gt.dmatrix()), TypeError, ["batch"]),
        (
            lambda: gt.batched_dot(gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(5, 3))),
            ValueError,
            ["batched_dot"],
        ),
    ],
)
def test_static_shape_and_ndim_errors(build, error, words):
    with pytest.raises(error) as info:
        build()
    for word in words:
        assert word in str(info.value)


def test_runtime_shape_mismatch_is_an_error():
    a, b = gt.dmatrix("a"), gt.dmatrix("b")
    f = g.function([a, b], gt.dot(a, b))
    with pytest.raises(TypeError):  # raised by JAX
        f(np.ones((2, 3)), np.ones((4, 5)))
    # a length 1 that the type does not mark broadcastable is an error, as PyTensor
    x, y = gt.dtensor3("x"), gt.dtensor3("y")
    for mode in ("FAST_RUN", "NUMPY"):
        h = g.function([x, y], gt.matmul(x, y), mode=mode)
        with pytest.raises(ValueError, match="static length is 1"):
            h(np.ones((1, 2, 3)), np.ones((4, 3, 2)))


@settings(max_examples=8)
@given(
    batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    ones=st.lists(st.booleans(), min_size=2, max_size=2),
    m=st.integers(1, 3),
    k=st.integers(1, 3),
    n=st.integers(1, 3),
)
def test_matmul_broadcasts_batch_axes_as_numpy(batch, ones, m, k, n):
    # each operand may drop leading batch axes or hold a length-1 one
    sa = tuple(1 if ones[0] and i == 0 else s for i, s in enumerate(batch)) + (m, k)
    sb = tuple(1 if ones[1] and i == len(batch) - 1 else s for i, s in enumerate(batch))[1:] + (
        k,
        n,
    )
    a, b = gt.tensor("float64", shape=sa), gt.tensor("float64", shape=sb)
    va, vb = RNG.normal(size=sa), RNG.normal(size=sb)
    f = g.function([a, b], gt.matmul(a, b))
    np.testing.assert_allclose(f(va, vb), np.matmul(va, vb), rtol=1e-12)


# ---------------------------------------------------------------------------
# gradients: finite differences, and jax.grad of the same jnp expression

# name -> (shapes, graph builder, jax function); static length-1 axes broadcast
GRAD_CASES = {
    "dot_vv": (((4,), (4,)), gt.dot, jnp.dot),
    "dot_mv": (((3, 4), (4,)), gt.dot, jnp.dot),
    "dot_vm": (((3,), (3, 4)), gt.dot, jnp.dot),
    "dot_mm": (((2, 3), (3, 4)), gt.dot, jnp.dot),
    "dot_3d": (((2, 3, 4), (4, 2)), gt.dot, jnp.dot),
    "matmul_broadcast": (((2, 1, 3, 4), (5, 4, 2)), gt.matmul, jnp.matmul),
    "matmul_vector": (((4,), (2, 4, 3)), gt.matmul, jnp.matmul),
    "tensordot": (
        ((2, 3, 4), (4, 3, 2)),
        lambda a, b: gt.tensordot(a, b, [[1, 2], [1, 0]]),
        lambda a, b: jnp.tensordot(a, b, [[1, 2], [1, 0]]),
    ),
    "outer": (((3,), (4,)), gt.outer, jnp.outer),
    "batched_dot": (
        ((4, 2, 3), (4, 3)),
        gt.batched_dot,
        lambda a, b: jnp.einsum("bij,bj->bi", a, b),
    ),
    "einsum_trace_times": (
        ((3, 3), (3,)),
        lambda a, b: gt.einsum("ii,j->j", a, b),
        lambda a, b: jnp.einsum("ii,j->j", a, b),
    ),
    "einsum_summed_out": (
        ((2, 3), (3, 4)),
        lambda a, b: gt.einsum("ij,jk->", a, b),
        lambda a, b: jnp.einsum("ij,jk->", a, b),
    ),
    "einsum_ellipsis": (
        ((2, 1, 3), (4, 3)),
        lambda a, b: gt.einsum("...i,...i->...", a, b),
        lambda a, b: jnp.einsum("...i,...i->...", a, b),
    ),
}


def _grad_table():
    """The gradient cases as a check_op table: case k takes inputs 2k and 2k + 1."""
    inputs, values, cases = [], [], {}
    for k, (name, (shapes, build, jax_fn)) in enumerate(GRAD_CASES.items()):
        inputs += [gt.tensor("float64", shape=s, name=f"{name}_{i}") for i, s in enumerate(shapes)]
        values += [RNG.normal(size=s) for s in shapes]
        cases[name] = Case(build, jax_fn, args=(2 * k, 2 * k + 1))
    return cases, inputs, values


def test_gradients_match_jax_grad():
    cases, inputs, values = _grad_table()
    check_op(jax_grad_cases(cases, values, RNG), inputs, values)


def test_gradients_pass_verify_grad():
    check_op(*_grad_table(), grads=True)


def test_float32_operand_of_float64_product_gets_float32_gradient():
    a, b = gt.fmatrix("a"), gt.dmatrix("b")
    ga, gb = g.grad(gt.sum(gt.dot(a, b)), [a, b])
    assert (ga.dtype, gb.dtype) == ("float32", "float64")
    x, y = gt.ftensor3("x"), gt.dmatrix("y")
    assert g.grad(gt.sum(gt.matmul(x, y)), x).dtype == "float32"


def test_integer_operands_are_disconnected():
    a, b = gt.imatrix("a"), gt.dmatrix("b")
    gb = g.grad(gt.sum(gt.dot(a, b)), b)
    va = np.arange(6, dtype="int32").reshape(2, 3)
    grad = (lambda a, b: gb, np.repeat(va.sum(0)[:, None], 2, 1).astype("float64"))
    check_op({"grad_of_the_float_operand": grad}, [a, b], [va, np.ones((3, 2))])


@pytest.mark.parametrize("precision", ["highest", "high", "default"])
def test_matmul_precision_flag_reaches_the_lowered_products(precision):
    """config.matmul_precision sets the precision of every product (TF32 on GPUs otherwise)."""
    from graph2jax.linker.dispatch import jax_funcify

    a, b = gt.fmatrix("a"), gt.ftensor3("b")
    x = np.ones((2, 2), dtype="float32")
    with g.config.change_flags(matmul_precision=precision):
        for out, args in ((gt.dot(a, a), (x, x)), (gt.matmul(b, a), (x[None], x))):
            hlo = jax.jit(jax_funcify(out.owner.op, out.owner)).lower(*args).as_text()
            assert f"precision = [{precision.upper()}, {precision.upper()}]" in hlo
    with pytest.raises(ValueError, match="matmul_precision"):
        g.config.matmul_precision = "tf32"


def test_the_vector_gradient_of_a_matrix_vector_product_transposes_nothing():
    # A.T·gz would be a transpose XLA runs as a slow loop before the product; gz·A is the same
    A, v = gt.fmatrix("A"), gt.fvector("v")
    (gv,) = g.grad(gt.dot(A, v).sum(), [v])
    f = g.function([A, v], gv)
    nodes = f.maker.fgraph.toposort()
    assert not any(isinstance(n.op, gt.DimShuffle) and n.op.new_order == (1, 0) for n in nodes)
    a = RNG.normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(f(a, np.ones(4, "float32")), a.sum(axis=0), rtol=1e-6)
