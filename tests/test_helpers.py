"""The test helpers fail, and say where: by case name, with the node DebugMode blames."""

from __future__ import annotations

import re

import numpy as np
import pytest

import graph2jax.tensor as gt
from graph2jax.graph import Apply, Op
from graph2jax.linker import jax_funcify
from tests.helpers import Case, check_op, compare_jax_and_numpy


class OffByOne(Op):
    """``x + 1`` in numpy, ``x + 2`` in JAX: a wrong JAX implementation."""

    def make_node(self, x):
        x = gt.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] + 1

    def L_op(self, inputs, outputs, output_grads):
        return output_grads


@jax_funcify.register(OffByOne)
def _off_by_one(op, node):
    return lambda x: x + 2


class TripleWithWrongGrad(OffByOne):
    """``3 * x`` in numpy and JAX alike, whose gradient (the identity's) is wrong."""

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * 3


@jax_funcify.register(TripleWithWrongGrad)
def _triple(op, node):
    return lambda x: x * 3


X, V = gt.dvector("x"), np.array([1.0, 2.0])


def test_a_good_table_passes_and_returns_the_results_by_name():
    got = check_op(
        {"double": (lambda x: x * 2, lambda v: v * 2), "neg": (lambda x: -x, -V)}, [X], [V]
    )
    assert list(got) == ["double", "neg"]
    np.testing.assert_array_equal(got["neg"], -V)


def test_a_wrong_value_names_the_case_and_the_node():
    cases = {"fine": (lambda x: x * 2, lambda v: v * 2), "broken": (OffByOne(), lambda v: v + 1)}
    with pytest.raises(AssertionError) as info:
        check_op(cases, [X], [V], reference=None)
    message = str(info.value)
    assert "1 of 2 cases failed" in message and "case 'broken'" in message
    assert "'fine'" not in message
    assert "DebugMode: output 0 of node OffByOne" in message


@pytest.mark.parametrize(
    ("case", "words"),
    [
        (Case(lambda x: x * 2, lambda v: (v * 2).astype("float32")), "expected float32"),
        (Case(lambda x: x * 2, lambda v: v * 2, dtype="int64"), "expected int64"),
        (Case(lambda x: x * 2, lambda v: v[:1] * 2), "shape (2,), expected (1,)"),
        (Case(lambda x: gt.sum(x), np.float64(3.5)), "against the expected"),
    ],
)
def test_dtype_shape_and_value_mismatches_fail(case, words):
    with pytest.raises(AssertionError, match=re.escape(words)):
        check_op({"c": case}, [X], [V])


def test_the_numpy_reference_must_agree():
    with pytest.raises(AssertionError, match="(?s)case 'off'.*against the NUMPY reference"):
        check_op({"off": (OffByOne(), None)}, [X], [V])


def test_exact_static_shapes():
    y = gt.tensor("float64", shape=(None,))
    check_op({"id": (lambda y: y * 1, V)}, [y], [V])
    with pytest.raises(AssertionError, match=r"static shape \(None,\), computed shape \(2,\)"):
        check_op({"id": (lambda y: y * 1, V)}, [y], [V], exact_static_shapes=True)


def test_grads_runs_verify_grad_on_the_float_cases():
    triple = (TripleWithWrongGrad(), lambda v: v * 3)
    check_op({"triple": triple}, [X], [V])  # the values are right
    with pytest.raises(AssertionError, match="case 'triple': verify_grad"):
        check_op({"triple": triple}, [X], [V], grads=True)
    skipped = Case(*triple, grad=False)
    check_op({"triple": skipped}, [X], [V], grads=True)
    ints = gt.lvector("i")  # not differentiable: no verify_grad
    check_op({"int": (lambda i: i * 2, np.array([2, 4]))}, [ints], [np.array([1, 2])], grads=True)


def test_compare_jax_and_numpy_names_outputs_by_position():
    with pytest.raises(AssertionError, match="case 'output 1'"):
        compare_jax_and_numpy([X], [X * 2, X * 3], [V], expected=[V * 2, V * 2])
