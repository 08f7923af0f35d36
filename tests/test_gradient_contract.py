"""``grad``'s contract as PyTensor's gradient module documents it: the seed, known gradients,
connection patterns, gradient-modifier ops and ``Rop`` through ``zero_grad``."""

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
import graph2jax.tensor.basic as gtb
from graph2jax.gradient import (
    DisconnectedGrad,
    DisconnectedInputError,
    DisconnectedType,
    GradClip,
    GradScale,
    NullTypeGradError,
    Rop,
    UndefinedGrad,
    ZeroGrad,
    disconnected_grad,
    disconnected_grad_,
    grad,
    grad_clip,
    grad_scale,
    grad_undefined,
    jacobian,
    pullback,
    pushforward,
    undefined_grad,
    zero_grad,
    zero_grad_,
)
from graph2jax.graph.basic import Apply
from graph2jax.graph.null_type import NullType
from graph2jax.graph.op import Op
from graph2jax.tensor.math import add


def test_a_constant_gradient_still_uses_the_inputs_of_its_cost():
    # PyTensor seeds with fill(cost, 1): function([x], grad(2 * x, x)) is not an unused input
    x = gt.dscalar("x")
    f = g.function([x], grad(x * 2, x))
    assert float(f(5.0)) == 2.0
    j = g.function([x], jacobian(x * 2, x))
    assert float(j(1.0)) == 2.0
    # the compiled graph keeps no trace of the seed's model
    y = gt.dvector("y")
    assert np.allclose(g.function([y], grad((3 * y).sum(), y))([1.0, 2.0]), [3.0, 3.0])


def test_grad_with_respect_to_a_constant_and_consider_constant_agree():
    x, y = gt.dscalar("x"), gt.dscalar("y")
    one = gt.constant(1.0)
    g_x = grad(x + y, x, consider_constant=[x])
    g_one = grad(one + y, one)
    assert [float(v) for v in g.function([x, y], [g_x, g_one])(1.0, 0.5)] == [1.0, 1.0]


def test_a_known_gradient_of_the_cost_replaces_the_seed():
    x = gt.dscalar("x")
    cost = x**2
    gx = grad(cost, x, known_grads={cost: gt.constant(10.0)})
    assert float(gx.eval({x: 3.0})) == 60.0
    i, j = gt.iscalar("i"), gt.iscalar("j")
    total = i + j
    with pytest.raises(DisconnectedInputError):
        grad(total, [i, j], known_grads={total: DisconnectedType()()})


def test_an_undefined_known_gradient_of_a_discrete_cost_raises():
    i, j = gt.iscalar("i"), gt.iscalar("j")
    cost = i + j
    with pytest.raises(NullTypeGradError):
        grad(cost, [i, j], known_grads={cost: NullType()()})


def test_a_scalar_known_gradient_is_broadcast_to_its_variable():
    x = gt.dvector("x")
    y = x * 3
    (gx,) = pullback(y, [x], gt.constant(2.0))
    np.testing.assert_array_equal(gx.eval({x: np.zeros(3)}), [6.0, 6.0, 6.0])


class _TwoOutputs(Op):
    """x -> (x, a scalar that does not depend on x), by its connection pattern."""

    def make_node(self, x):
        return Apply(self, [x], [x.type(), gt.dscalar()])

    def connection_pattern(self, node):
        return [[True, False]]

    def perform(self, node, inputs, output_storage):
        output_storage[0][0], output_storage[1][0] = inputs[0], np.float64(0.0)

    def grad(self, inputs, output_grads):
        return [output_grads[0]]


class _UndefinedForSecond(Op):
    def make_node(self, a, b):
        return Apply(self, [a, b], [gt.dscalar()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.float64(inputs[0] + inputs[1])

    def grad(self, inputs, output_grads):
        return [inputs[0].ones_like() * output_grads[0], NullType("no gradient")()]


def test_connection_pattern_keeps_an_undefined_gradient_off_a_disconnected_path():
    x = gt.dvector("x")
    f, s = _TwoOutputs()(x)
    cost = _UndefinedForSecond()(f.sum(), s)
    gx = grad(cost, x)  # Op2's undefined gradient for s stops there: x reaches s through no path
    f = g.function([x], gx, mode="NUMPY")  # the python ops have no JAX implementation
    np.testing.assert_array_equal(f(np.zeros(2)), [1.0, 1.0])
    assert disconnected_grad(x).owner.op.connection_pattern(disconnected_grad(x).owner) == [[False]]
    assert zero_grad(x).owner.op.connection_pattern(zero_grad(x).owner) == [[True]]


def test_an_op_grad_returning_none_is_a_type_error():
    class NoGrad(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type()])

        def grad(self, inputs, output_grads):
            return None

    x = gt.dscalar("x")
    with pytest.raises(TypeError, match="expected a list"):
        grad(NoGrad()(x), x)


def test_an_undefined_gradient_is_not_computable():
    a = gt.dvector("a")
    with pytest.raises(TypeError, match="NullType"):
        g.function([a], grad_undefined(add, 0, a), on_unused_input="ignore")


@pytest.mark.parametrize(
    ("build", "cls", "expected"),
    [
        (lambda x: grad_clip(x, -1, 1), GradClip, 1.0),
        (lambda x: grad_scale(x, 2), GradScale, 8.0),
        (zero_grad, ZeroGrad, 0.0),
    ],
)
def test_gradient_modifiers_are_ops_of_pytensors_classes_removed_when_compiled(
    build, cls, expected
):
    x = gt.dscalar("x")
    z = build(x)
    assert isinstance(z.owner.op, cls)
    f = g.function([x], [grad(z**2, x), z])
    assert not any(isinstance(n.op, cls) for n in f.maker.fgraph.toposort())
    assert [float(v) for v in f(2.0)] == [expected, 2.0]
    # FAST_COMPILE runs no rewrite: the op stays, the values are the same
    f0 = g.function([x], grad(z**2, x), mode="FAST_COMPILE")
    assert float(f0(2.0)) == expected


def test_the_parameterless_modifiers_share_pytensors_instances():
    x = gt.dscalar("x")
    assert zero_grad(x).owner.op == zero_grad_
    assert disconnected_grad(x).owner.op == disconnected_grad_
    assert isinstance(disconnected_grad_, DisconnectedGrad)
    assert isinstance(undefined_grad(x).owner.op, UndefinedGrad)
    with pytest.raises(NullTypeGradError):
        grad(undefined_grad(x) * 2, x)


def test_rop_through_zero_grad_is_zeros():
    x, v = gt.dvector("x"), gt.dvector("v")
    f = g.function([x, v], Rop(zero_grad(x), x, v), on_unused_input="ignore")
    np.testing.assert_array_equal(f(np.ones(3), np.ones(3)), np.zeros(3))
    assert pushforward is Rop
    with pytest.raises(DisconnectedInputError):
        Rop(gt.dvector("other") * 2, x, v)


def test_tensor_basic_holds_pytensors_creation_names_and_the_fill_op():
    x = gt.dvector("x")
    np.testing.assert_array_equal(gtb.alloc(2.0, 3).eval(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(gtb.arange(3).eval(), [0, 1, 2])
    np.testing.assert_array_equal(gtb.fill(x, 7.0).eval({x: [1.0, 2.0]}), [7.0, 7.0])
    z = grad(gt.dscalar("c"), x, disconnected_inputs="ignore")
    assert z.owner.op == gtb.fill and float(z.owner.inputs[1].data) == 0.0
    np.testing.assert_array_equal(x.zeros_like().eval({x: [1.0, 2.0]}), [0.0, 0.0])
    np.testing.assert_array_equal(x.ones_like(dtype="int8").eval({x: [1.0, 2.0]}), [1, 1])
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        gtb.nothing_here  # noqa: B018
