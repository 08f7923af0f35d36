"""``ifelse``: values against numpy and hand-written ``jax.lax.cond``, laziness, types, gradients."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.graph.basic import Apply, Op
from graph2jax.ifelse import IfElse, ifelse
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.types.as_tensor import as_tensor_variable
from tests.helpers import Case, check_infer_shape, check_op, compare_jax_and_numpy

RNG = np.random.default_rng(0)


class Probe(Op):
    """Identity that counts its evaluations (``perform`` and, at run time, the JAX program)
    and raises in ``perform`` when ``fail`` is set: evidence of which branch ran."""

    __props__ = ("tag", "fail")
    calls: dict[str, int] = {}

    def __init__(self, tag: str, fail: bool = False):
        self.tag, self.fail = tag, fail

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        Probe.calls[self.tag] = Probe.calls.get(self.tag, 0) + 1
        if self.fail:
            raise RuntimeError(f"branch {self.tag} was evaluated")
        output_storage[0][0] = np.array(inputs[0])

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return output_grads


@jax_funcify.register(Probe)
def _jax_probe(op: Probe, node: Apply) -> Callable[..., Any]:
    def count(_: Any) -> None:
        Probe.calls[op.tag] = Probe.calls.get(op.tag, 0) + 1

    def probe(x: Any) -> Any:
        jax.debug.callback(count, x)
        return x

    return probe


class NoJax(Op):
    """An op without a JAX implementation, to be found inside a branch."""

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.array(inputs[0])


def _jax_cond(pred: Any, then_fn: Callable, else_fn: Callable, *operands: Any) -> Any:
    """The hand-written JAX program an ifelse must equal."""
    return jax.lax.cond(pred, then_fn, else_fn, *operands)


# ---------------------------------------------------------------------------
# values


@pytest.mark.parametrize("c", [1.0, -2.0])
def test_scalar_and_array_branches_match_numpy_and_lax_cond(c: float) -> None:
    cond, a = gt.dscalars("cond", "a")
    x, y = gt.dvectors("x", "y")
    m = gt.dmatrix("m")
    xv, yv, mv = RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(3, 3))
    pred = c > 0

    def lax(then_fn: Callable, else_fn: Callable, *ops: Any) -> np.ndarray:
        return np.asarray(_jax_cond(pred, then_fn, else_fn, *ops))

    check_op(
        {
            "scalar": (
                lambda cond, a, x, y, m: ifelse(gt.gt(cond, 0), a * 2, a - 1),
                lax(lambda a: a * 2, lambda a: a - 1, 0.5),
            ),
            "vector": (
                lambda cond, a, x, y, m: ifelse(gt.gt(cond, 0), gt.exp(x), y * a),
                lax(jnp.exp, lambda y: y * 0.5, xv) if pred else yv * 0.5,
            ),
            "matrix": (
                lambda cond, a, x, y, m: ifelse(gt.gt(cond, 0), gt.dot(m, x), gt.sum(m, axis=0)),
                lax(lambda m, x: m @ x, lambda m, x: m.sum(0), mv, xv),
            ),
        },
        [cond, a, x, y, m],
        [c, 0.5, xv, yv, mv],
        grads=True,
    )


def test_several_outputs_return_the_branches_container() -> None:
    c = gt.iscalar("c")
    x = gt.dvector("x")
    as_list = ifelse(c, [x + 1, x.sum()], [x - 1, x.max()])
    as_tuple = ifelse(c, (x * 2, x), (x * 3, x))
    assert isinstance(as_list, list) and isinstance(as_tuple, tuple)
    assert as_list[0].owner is as_list[1].owner  # one node, two outputs
    xv = np.array([1.0, 5.0, 2.0])
    for cv in (1, 0):
        want = [xv + 1, xv.sum(), xv * 2, xv] if cv else [xv - 1, xv.max(), xv * 3, xv]
        compare_jax_and_numpy([c, x], [*as_list, *as_tuple], [cv, xv], want)


def test_nested_ifelse_and_symbolic_condition_from_inputs() -> None:
    x = gt.dvector("x")
    s = x.sum()
    inner = ifelse(gt.gt(x[0], 0), x * 10, -x)
    out = ifelse(gt.gt(s, 3), inner, gt.zeros_like(x))

    def want(v: np.ndarray) -> np.ndarray:
        return (v * 10 if v[0] > 0 else -v) if v.sum() > 3 else np.zeros_like(v)

    def lax(v: np.ndarray) -> np.ndarray:
        nested = lambda v: _jax_cond(v[0] > 0, lambda v: v * 10, lambda v: -v, v)  # noqa: E731
        return np.asarray(_jax_cond(v.sum() > 3, nested, jnp.zeros_like, v))

    f = g.function([x], out)
    for v in ([1.0, 2.0, 3.0], [-1.0, 2.0, 3.0], [1.0, 0.0, 0.0]):
        v = np.array(v)
        np.testing.assert_allclose(f(v), want(v))
        np.testing.assert_allclose(f(v), lax(v))
    compare_jax_and_numpy([x], out, [np.array([-1.0, 2.0, 3.0])], np.array([1.0, -2.0, -3.0]))


@pytest.mark.parametrize(
    ("dtype", "true_value", "false_value"),
    [("int32", 3, 0), ("int8", -1, 0), ("bool", True, False), ("float64", 0.5, 0.0)],
)
def test_condition_dtypes(dtype: str, true_value: Any, false_value: Any) -> None:
    c = gt.scalar("c", dtype=dtype)
    x = gt.dvector("x")
    f = g.function([c, x], ifelse(c, x + 1, x - 1))
    xv = np.array([1.0, 2.0])
    np.testing.assert_array_equal(f(true_value, xv), xv + 1)
    np.testing.assert_array_equal(f(false_value, xv), xv - 1)


def test_nan_condition_is_true_as_in_pytensor() -> None:
    # PyTensor tests ``truthval != 0``: nan is not 0
    c = gt.dscalar("c")
    f = g.function([c], ifelse(c, 1.0, 2.0))
    assert float(f(np.nan)) == 1.0


def test_python_numbers_become_constants_and_constant_conditions() -> None:
    x = gt.dscalar("x")
    zero = np.float64(0.0)
    f = g.function([x], [ifelse(gt.gt(x, 0), x, zero), ifelse(1, 2.5, 3.5), ifelse(0, 0.1, x)])
    assert [float(v) for v in f(-3.0)] == [0.0, 2.5, -3.0]
    assert [float(v) for v in f(4.0)] == [4.0, 2.5, 4.0]
    # as in PyTensor, 0.0 is a float32 constant (the smallest float holding it exactly)
    with pytest.raises(TypeError, match="true_branch=float64, false_branch=float32"):
        ifelse(1, x, 0.0)


def test_shared_variables_and_updates() -> None:
    w = g.shared(np.array([1.0, 2.0]), name="w")
    step = g.shared(np.int64(0), name="step")
    c = gt.bscalar("c")
    new_w = ifelse(c, w * 2, w + step)
    f = g.function([c], new_w, updates=[(w, new_w), (step, step + 1)])
    np.testing.assert_array_equal(f(1), [2.0, 4.0])
    np.testing.assert_array_equal(f(0), [3.0, 5.0])  # step was 1
    np.testing.assert_array_equal(w.get_value(), [3.0, 5.0])
    assert int(step.get_value()) == 2


def test_static_shapes_are_unified() -> None:
    x = gt.tensor("x", dtype="float64", shape=(2, 3))
    y = gt.tensor("y", dtype="float64", shape=(2, None))
    assert ifelse(1, x, y).type.shape == (2, None)
    assert ifelse(1, x, x).type.shape == (2, 3)


def test_branches_of_different_shapes() -> None:
    x = gt.dvector("x")
    c = gt.iscalar("c")
    out = ifelse(c, x, x[:2])
    with pytest.raises(
        ValueError, match=r"one shape, but output 0 .*\(3,\) when true, \(2,\) when false"
    ):
        g.function([c, x], out)(1, np.ones(3))
    # NUMPY mode evaluates one branch: any shape goes, as in PyTensor
    f = g.function([c, x], out, mode="NUMPY")
    assert f(0, np.ones(3)).shape == (2,)
    # a condition known while tracing traces only its branch
    assert g.function([x], ifelse(0, x, x[:2]))(np.ones(3)).shape == (2,)


def test_static_values_stay_known_inside_the_branches() -> None:
    c = gt.iscalar("c")
    n = gt.lscalar("n")
    x = gt.dvector("x")
    # the reshape's target ``n`` must be known while tracing, inside lax.cond too
    f = g.function([c, n, x], ifelse(c, x.reshape((n, -1)).sum(1), x[:2] * 0 + x.sum()))
    np.testing.assert_array_equal(f(1, 2, np.arange(4.0)), [1.0, 5.0])
    np.testing.assert_array_equal(f(0, 2, np.arange(4.0)), [6.0, 6.0])
    # a condition on a shape is known while tracing: only its branch is traced, any shapes go
    short = g.function([x], ifelse(gt.gt(x.shape[0], 2), x[:2], x))
    np.testing.assert_array_equal(short(np.arange(4.0)), [0.0, 1.0])
    np.testing.assert_array_equal(short(np.arange(2.0)), [0.0, 1.0])


def test_debug_mode_and_a_pickled_function() -> None:
    c = gt.iscalar("c")
    x = gt.dvector("x")
    out = ifelse(c, gt.exp(x), x * 2)
    f = g.function([c, x], out, mode="DebugMode")
    np.testing.assert_allclose(f(1, np.ones(2)), np.exp(np.ones(2)))
    np.testing.assert_allclose(f(0, np.ones(2)), [2.0, 2.0])
    copy = pickle.loads(pickle.dumps(g.function([c, x], out)))
    np.testing.assert_allclose(copy(0, np.ones(2)), [2.0, 2.0])


def test_infer_shape() -> None:
    c = gt.iscalar("c")
    x, y = gt.dmatrices("x", "y")
    outs = ifelse(c, [x, x.sum(0)], [gt.dot(y, y.T)[:2], y[0]])
    xv, yv = np.ones((2, 3)), np.ones((3, 3))
    check_infer_shape([c, x, y], outs, [1, xv, yv])
    check_infer_shape([c, x, y], outs, [0, xv, yv])
    # sizes both branches know statically are constants; the rest, an ifelse of the branches'
    p = gt.tensor("p", dtype="float64", shape=(2, None))
    q = gt.tensor("q", dtype="float64", shape=(2, 3))
    out = ifelse(c, p, q)
    rows, cols = out.owner.op.infer_shape(None, out.owner, [])[0]
    assert rows.data == 2 and isinstance(cols.owner.op, IfElse)
    check_infer_shape([c, p, q], [out], [0, np.ones((2, 3)), np.ones((2, 3))])


# ---------------------------------------------------------------------------
# laziness


@pytest.mark.parametrize("mode", ["NUMPY", "FAST_RUN"])
def test_only_the_taken_branch_runs(mode: str) -> None:
    c = gt.iscalar("c")
    x = gt.dvector("x")
    f = g.function([c, x], ifelse(c, Probe("then")(x * 2), Probe("else")(x - 1)), mode=mode)
    Probe.calls.clear()
    np.testing.assert_array_equal(f(1, np.ones(2)), [2.0, 2.0])
    np.testing.assert_array_equal(f(1, np.ones(2)), [2.0, 2.0])
    np.testing.assert_array_equal(f(0, np.ones(2)), [0.0, 0.0])
    jax.effects_barrier()
    assert Probe.calls == {"then": 2, "else": 1}


def test_an_untaken_failing_branch_does_not_raise() -> None:
    c = gt.iscalar("c")
    x = gt.dvector("x")
    f = g.function([c, x], ifelse(c, x + 1, Probe("bad", fail=True)(x)), mode="NUMPY")
    np.testing.assert_array_equal(f(1, np.zeros(2)), [1.0, 1.0])
    with pytest.raises(RuntimeError, match="branch bad was evaluated"):
        f(0, np.zeros(2))


def test_computation_shared_with_the_condition_is_not_redone() -> None:
    x = gt.dvector("x")
    s = Probe("sum")(x.sum())
    f = g.function([x], ifelse(gt.gt(s, 0), s * 2, s), mode="NUMPY")
    Probe.calls.clear()
    assert float(f(np.ones(2))) == 4.0
    assert Probe.calls == {"sum": 1}


# ---------------------------------------------------------------------------
# the graph: printing, walks, rewrites, equality


def test_debugprint_shows_both_branches() -> None:
    c, x = gt.dscalars("c", "x")
    text = g.dprint(ifelse(c, gt.exp(x), gt.log(x), name="pick"), file="str")
    assert "if{pick}" in text and "Inner graphs:" in text
    assert "exp" in text and "log" in text


def test_unsupported_op_inside_a_branch_is_listed() -> None:
    c, x = gt.dscalars("c", "x")
    out = ifelse(c, NoJax()(x), x)
    assert [type(op) for op in g.unsupported_ops(out)] == [NoJax]
    with pytest.raises(NotImplementedError, match="NoJax"):
        g.function([c, x], out)


def test_rewrites_apply_inside_the_branches() -> None:
    c, x = gt.dscalars("c", "x")
    f = g.function([c, x], ifelse(c, gt.log(1 + x), x))
    (node,) = [n for n in f.maker.fgraph.apply_nodes if isinstance(n.op, IfElse)]
    names = [str(n.op) for n in node.op.then_fgraph.apply_nodes]
    assert names == ["log1p"]
    assert float(f(1.0, 1e-20)) == 1e-20


def test_pytensor_module_path() -> None:
    assert g.ifelse.ifelse is ifelse and g.ifelse.IfElse is IfElse


def test_structural_equality_and_pickling() -> None:
    c, x = gt.dscalars("c", "x")
    one = ifelse(c, x * 2, x, name="a").owner.op
    two = ifelse(c, x * 2, x, name="b").owner.op
    other = ifelse(c, x * 3, x).owner.op
    assert one == two and hash(one) == hash(two) and one != other
    assert pickle.loads(pickle.dumps(one)) == one


# ---------------------------------------------------------------------------
# type errors, as PyTensor's


def test_type_errors() -> None:
    x = gt.dvector("x")
    with pytest.raises(
        TypeError, match="compatible dtypes.*true_branch=float64, false_branch=float32"
    ):
        ifelse(1, x, gt.fvector("y"))
    with pytest.raises(TypeError, match="compatible ndim.*true_branch=1, false_branch=2"):
        ifelse(1, x, gt.dmatrix("y"))
    with pytest.raises(TypeError, match="truthy scalar value.*cond"):
        ifelse(gt.dvector("cond"), x, x)
    with pytest.raises(ValueError, match="got 2 for `then`, and 1 for `else`"):
        ifelse(1, [x, x], [x])
    # the node's own check: a more precise operand fits, another dtype does not
    op = ifelse(gt.iscalar("c"), x * 2, x).owner.op
    precise = gt.tensor("p", dtype="float64", shape=(3,))
    assert op.make_node(1, precise).outputs[0].type.shape == (None,)
    with pytest.raises(TypeError, match="takes operands of types"):
        op.make_node(1, gt.fvector("f"))


# ---------------------------------------------------------------------------
# gradients


def test_gradient_matches_jax_grad_of_lax_cond() -> None:
    c = gt.dscalar("c")
    x, y = gt.dvectors("x", "y")
    # y only in the else branch, x in both
    cost = ifelse(gt.gt(c, 0), (gt.sin(x) * x).sum(), (x * y**2).sum())
    gx, gy, gc = g.grad(cost, [x, y, c])
    f = g.function([c, x, y], [gx, gy, gc])

    def hand(cv: float, xv: Any, yv: Any) -> Any:
        return _jax_cond(
            cv > 0, lambda x, y: (jnp.sin(x) * x).sum(), lambda x, y: (x * y**2).sum(), xv, yv
        )

    xv, yv = RNG.normal(size=3), RNG.normal(size=3)
    for cv in (1.0, -1.0):
        want_x, want_y = jax.grad(hand, argnums=(1, 2))(cv, xv, yv)
        got_x, got_y, got_c = f(cv, xv, yv)
        np.testing.assert_allclose(got_x, want_x)
        np.testing.assert_allclose(got_y, want_y)
        assert float(got_c) == 0.0


def test_gradient_several_outputs_and_verify_grad() -> None:
    c = gt.iscalar("c")
    a, b = gt.dvectors("a", "b")
    outs = ifelse(c, [a * b, a.sum()], [b, gt.exp(b).sum()])
    cost = (outs[0] ** 2).sum() + outs[1]
    av, bv = RNG.normal(size=2), RNG.normal(size=2)
    for cv in (1, 0):
        f = g.function([c, a, b], g.grad(cost, [a, b]))

        def hand(av: Any, bv: Any, cv: int = cv) -> Any:
            o0, o1 = (av * bv, av.sum()) if cv else (bv, jnp.exp(bv).sum())
            return (o0**2).sum() + o1

        for got, want in zip(f(cv, av, bv), jax.grad(hand, argnums=(0, 1))(av, bv), strict=True):
            np.testing.assert_allclose(got, want)

    check_op(
        {
            "then": Case(lambda a, b: ifelse(1, a * b, gt.exp(b)), np.array(av * bv)),
            "else": Case(lambda a, b: ifelse(0, a * b, gt.exp(b)), np.exp(bv)),
            "traced": Case(lambda a, b: ifelse(gt.gt(a.sum(), 10), a * b, gt.exp(a)), np.exp(av)),
        },
        [a, b],
        [av, bv],
        grads=True,
    )


def test_gradient_of_a_value_returned_twice_sums_both_outputs() -> None:
    c = gt.iscalar("c")
    x = gt.dscalar("x")
    a, b = ifelse(c, [x, x], [x * 2, x * 3])
    f = g.function([c, x], g.grad(a * 5 + b * 7, x), on_unused_input="ignore")
    assert [float(f(1, 1.0)), float(f(0, 1.0))] == [12.0, 31.0]


def test_gradient_of_an_output_from_one_branch_only_is_zero_in_the_other() -> None:
    c = gt.iscalar("c")
    x, y = gt.dscalars("x", "y")
    gy = g.grad(ifelse(c, x * 3, y * 5), y)
    f = g.function([c, x, y], gy)
    assert float(f(1, 1.0, 1.0)) == 0.0
    assert float(f(0, 1.0, 1.0)) == 5.0


def test_second_derivative_and_jacobian_through_ifelse() -> None:
    s = gt.dscalar("s")
    cost = ifelse(gt.gt(s, 0), s**3, s**2)
    fh = g.function([s], g.grad(g.grad(cost, s), s))
    assert [float(fh(2.0)), float(fh(-2.0))] == [12.0, 2.0]
    x = gt.dvector("x")
    # the batched jacobian vmaps the backward pass, and with it the lax.cond
    fj = g.function([x], g.jacobian(ifelse(gt.gt(x.sum(), 0), x**2, x**3), x))
    np.testing.assert_allclose(fj(np.array([1.0, 2.0])), np.diag([2.0, 4.0]))
    np.testing.assert_allclose(fj(np.array([-1.0, -2.0])), np.diag([3.0, 12.0]))
