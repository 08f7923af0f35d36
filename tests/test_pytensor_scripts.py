"""PyTensor's own documentation snippets, run with only their imports changed.

Each test body is a snippet copied verbatim from PyTensor's documentation
(github.com/pymc-devs/pytensor; the path and commit are cited above each test)
with ``import pytensor`` → ``import graph2jax as pytensor``,
``import pytensor.tensor as pt`` → ``import graph2jax.tensor as pt`` and
``from pytensor... import`` → ``from graph2jax... import``; the assertions
check the values the documentation shows. Where a snippet's printed output
differs from what PyTensor really does, the test says which PyTensor
version was run to find out. Snippets using scan, ifelse or random
generators are in the tests and docs pages of those features; those on compiling, inputs and outputs,
shapes and debugging are in ``tests/test_pytensor_docs_compile.py``; those of
doc/tutorial/gradients.rst in ``tests/test_pytensor_docs_gradients.py``.

The assertions were checked against PyTensor 3.0.7 itself (this file with its
imports switched back, xfails run): everything passes there except what the
comments note (top-level pp and In(value=...), which PyTensor 3 lacks).

Sources (commit f857e69611b9 unless noted): doc/tutorial/{adding,examples,
broadcasting,conditions}.rst and modes_solution_1.py, doc/library/tensor/basic.rst,
doc/gallery/introduction/pytensor_intro.ipynb.
"""

from __future__ import annotations

import numpy
import numpy as np
import pytest

import graph2jax as pytensor
import graph2jax.tensor as pt
from graph2jax import function


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


# doc/tutorial/adding.rst: "Adding two Scalars", its Step 1 and the eval() note
def test_adding_two_scalars():
    x = pt.dscalar("x")
    y = pt.dscalar("y")
    z = x + y
    f = function([x, y], z)
    assert f(2, 3) == 5.0 and isinstance(f(2, 3), np.ndarray) and f(2, 3).ndim == 0
    assert numpy.allclose(f(16.3, 12.1), 28.4)
    assert x.type is pt.dscalar
    assert repr(pt.dscalar) == "TensorType(float64, shape=())"

    x = pt.dscalar("x")
    y = pt.dscalar("y")
    z = x + y
    assert numpy.allclose(z.eval({x: 16.3, y: 12.1}), 28.4)


# doc/tutorial/adding.rst: "Step 2", pretty-printing the sum (the page imports pp
# from the top level, which PyTensor 3.0.7 itself lacks; its printing module has it)
def test_adding_pretty_print():
    x = pt.dscalar("x")
    y = pt.dscalar("y")
    z = x + y
    from graph2jax import pp

    assert pp(z) == "(x + y)"
    from graph2jax.printing import pp

    assert pp(z) == "(x + y)"


# doc/tutorial/adding.rst: "Adding two Matrices", the exercise and adding_solution_1.py
def test_adding_matrices_and_exercise():
    x = pt.dmatrix("x")
    y = pt.dmatrix("y")
    z = x + y
    f = function([x, y], z)
    expected = [[11.0, 22.0], [33.0, 44.0]]
    np.testing.assert_array_equal(f([[1, 2], [3, 4]], [[10, 20], [30, 40]]), expected)
    out = f(numpy.array([[1, 2], [3, 4]]), numpy.array([[10, 20], [30, 40]]))
    np.testing.assert_array_equal(out, expected)

    a = pytensor.tensor.vector()  # declare variable
    out = a + a**10  # build symbolic expression
    f = pytensor.function([a], out)  # compile function
    np.testing.assert_array_equal(f([0, 1, 2]), [0.0, 2.0, 1026.0])

    a = pytensor.tensor.vector()  # declare variable
    b = pytensor.tensor.vector()  # declare variable
    out = a**2 + b**2 + 2 * a * b  # build symbolic expression
    f = pytensor.function([a, b], out)  # compile function
    np.testing.assert_array_equal(f([1, 2], [4, 5]), [25.0, 49.0])


# doc/tutorial/examples.rst: "Logistic Function" (both forms) and
# "Computing More than one Thing at the Same Time"
def test_logistic_function_and_multiple_outputs():
    x = pt.dmatrix("x")
    s = 1 / (1 + pt.exp(-x))
    logistic = pytensor.function([x], s)
    expected = [[0.5, 0.73105858], [0.26894142, 0.11920292]]
    np.testing.assert_allclose(logistic([[0, 1], [-1, -2]]), expected, rtol=1e-7)
    s2 = (1 + pt.tanh(x / 2)) / 2
    logistic2 = pytensor.function([x], s2)
    np.testing.assert_allclose(logistic2([[0, 1], [-1, -2]]), expected, rtol=1e-7)

    a, b = pt.dmatrices("a", "b")
    diff = a - b
    abs_diff = abs(diff)
    diff_squared = diff**2
    f = pytensor.function([a, b], [diff, abs_diff, diff_squared])
    out = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    assert isinstance(out, list) and len(out) == 3
    np.testing.assert_array_equal(out[0], [[1.0, 0.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(out[1], [[1.0, 0.0], [1.0, 2.0]])
    np.testing.assert_array_equal(out[2], [[1.0, 0.0], [1.0, 4.0]])


# doc/tutorial/examples.rst: "Setting a Default Value for an Argument" (PyTensor
# deprecated In(value=...) in 2.26 and 3.0.7 refuses it with "Inputs with default
# values are deprecated"; graph2jax keeps it, as the page still shows it)
def test_default_values_with_in():
    from graph2jax.compile.io import In

    x, y = pt.dscalars("x", "y")
    z = x + y
    f = function([x, In(y, value=1)], z)
    assert f(33) == 34.0 and f(33, 2) == 35.0

    x, y, w = pt.dscalars("x", "y", "w")
    z = (x + y) * w
    f = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)
    assert [float(v) for v in (f(33), f(33, 2), f(33, 0, 1))] == [68.0, 70.0, 33.0]
    assert f(33, w_by_name=1) == 34.0
    assert f(33, w_by_name=1, y=0) == 33.0


# doc/tutorial/examples.rst: "Using Shared Variables" (accumulator, set_value,
# a second function updating the same state, givens)
def test_shared_variable_accumulator():
    from graph2jax import shared

    state = shared(0)
    inc = pt.iscalar("inc")
    accumulator = function([inc], state, updates=[(state, state + inc)])
    assert state.get_value() == 0
    out = accumulator(1)
    assert out == 0 and out.dtype == state.dtype and state.get_value() == 1
    assert accumulator(300) == 1 and state.get_value() == 301

    state.set_value(-1)
    assert accumulator(3) == -1 and state.get_value() == 2

    decrementor = function([inc], state, updates=[(state, state - inc)])
    assert decrementor(2) == 2 and state.get_value() == 0

    fn_of_state = state * 2 + inc
    # The type of foo must match the shared variable we are replacing
    # with the ``givens``
    foo = pt.scalar(dtype=state.dtype)
    skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
    assert skip_shared(1, 3) == 7  # we're using 3 for the state, not state.value
    assert state.get_value() == 0  # old state still there, but we didn't use it


# doc/tutorial/examples.rst: "Copying functions" (swap and delete_updates)
def test_copying_functions():
    state = pytensor.shared(0)
    inc = pt.iscalar("inc")
    accumulator = pytensor.function([inc], state, updates=[(state, state + inc)])
    assert accumulator(10) == 0 and state.get_value() == 10

    new_state = pytensor.shared(0)
    new_accumulator = accumulator.copy(swap={state: new_state})
    assert new_accumulator(100) == 0 and new_state.get_value() == 100
    assert state.get_value() == 10

    null_accumulator = accumulator.copy(delete_updates=True)
    assert null_accumulator(9000) == 10 and state.get_value() == 10


def _train_logistic_numpy(X, Y, w, b, steps, lr, l2):
    """The tutorial's gradient descent, with the gradients written out by hand."""
    for _ in range(steps):
        p = _sigmoid(X @ w + b)
        w, b = w - lr * (X.T @ (p - Y) / len(Y) + 2 * l2 * w), b - lr * np.mean(p - Y)
    return w, b


# doc/tutorial/examples.rst: "A Real Example: Logistic Regression", at a small
# size (N, feats and training_steps are the only values changed)
def test_logistic_regression_tutorial():
    rng = np.random.default_rng(2882)

    N = 40  # training sample size
    feats = 7  # number of input variables

    # generate a dataset: D = (input_values, target_class)
    D = (rng.standard_normal((N, feats)), rng.integers(size=N, low=0, high=2))
    training_steps = 50

    # Declare PyTensor symbolic variables
    x = pt.dmatrix("x")
    y = pt.dvector("y")

    # initialize the weight vector w randomly
    w = pytensor.shared(rng.standard_normal(feats), name="w")

    # initialize the bias term
    b = pytensor.shared(0.0, name="b")
    w0 = w.get_value()

    # Construct PyTensor expression graph
    p_1 = 1 / (1 + pt.exp(-pt.dot(x, w) - b))  # Probability that target = 1
    prediction = p_1 > 0.5  # The prediction thresholded
    xent = -y * pt.log(p_1) - (1 - y) * pt.log(1 - p_1)  # Cross-entropy loss function
    cost = xent.mean() + 0.01 * (w**2).sum()  # The cost to minimize
    gw, gb = pt.grad(cost, [w, b])  # Compute the gradient of the cost

    # Compile
    train = pytensor.function(
        inputs=[x, y], outputs=[prediction, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb))
    )
    predict = pytensor.function(inputs=[x], outputs=prediction)

    # Train
    for i in range(training_steps):  # noqa: B007 (verbatim)
        pred, err = train(D[0], D[1])

    w_np, b_np = _train_logistic_numpy(D[0], D[1], w0, 0.0, training_steps, 0.1, 0.01)
    np.testing.assert_allclose(w.get_value(), w_np, rtol=1e-9)
    np.testing.assert_allclose(b.get_value(), b_np, rtol=1e-9, atol=1e-12)
    assert b.get_value().dtype == np.float64 and w.get_value().shape == (feats,)
    expected_pred = _sigmoid(D[0] @ w_np + b_np) > 0.5
    np.testing.assert_array_equal(predict(D[0]), expected_pred)
    assert predict(D[0]).dtype == bool and err.shape == (N,)


# doc/tutorial/examples.rst: "A Real Example: Logistic Regression" with the
# tutorial's 784 features (N and training_steps reduced). The random initial w
# makes |x.w| > 37 for some rows, where 1 / (1 + exp(-z)) rounds to exactly 0 or
# 1, so the unrewritten gradient of log(p_1) and log(1 - p_1) computes inf * 0.
# PyTensor 3.0.7's stabilizing rewrites keep w finite, and so do graph2jax's (grad
# differentiates the stabilized cost, -softplus forms): both match the closed-form
# gradient descent below.
def test_logistic_regression_tutorial_saturated_features():
    rng = np.random.default_rng(2882)
    N = 40
    feats = 784
    D = (rng.standard_normal((N, feats)), rng.integers(size=N, low=0, high=2))
    training_steps = 3
    x = pt.dmatrix("x")
    y = pt.dvector("y")
    w = pytensor.shared(rng.standard_normal(feats), name="w")
    b = pytensor.shared(0.0, name="b")
    w0 = w.get_value()
    p_1 = 1 / (1 + pt.exp(-pt.dot(x, w) - b))  # Probability that target = 1
    prediction = p_1 > 0.5  # The prediction thresholded
    xent = -y * pt.log(p_1) - (1 - y) * pt.log(1 - p_1)  # Cross-entropy loss function
    cost = xent.mean() + 0.01 * (w**2).sum()  # The cost to minimize
    gw, gb = pt.grad(cost, [w, b])  # Compute the gradient of the cost
    train = pytensor.function(
        inputs=[x, y], outputs=[prediction, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb))
    )
    for i in range(training_steps):  # noqa: B007 (verbatim)
        pred, err = train(D[0], D[1])

    with np.errstate(over="ignore"):
        w_np, b_np = _train_logistic_numpy(D[0], D[1], w0, 0.0, training_steps, 0.1, 0.01)
    np.testing.assert_allclose(w.get_value(), w_np, rtol=1e-9)
    np.testing.assert_allclose(b.get_value(), b_np, rtol=1e-9)


# doc/tutorial/modes_solution_1.py: the same model in float32 (floatX set by
# assignment), at a small size (N, feats and training_steps changed)
def test_logistic_regression_float32_solution():
    old_floatx = pytensor.config.floatX
    try:
        pytensor.config.floatX = "float32"

        rng = np.random.default_rng(428)

        N = 40
        feats = 7
        D = (
            rng.standard_normal((N, feats)).astype(pytensor.config.floatX),
            rng.integers(size=N, low=0, high=2).astype(pytensor.config.floatX),
        )
        training_steps = 20

        # Declare PyTensor symbolic variables
        x = pt.matrix("x")
        y = pt.vector("y")
        w = pytensor.shared(rng.standard_normal(feats).astype(pytensor.config.floatX), name="w")
        b = pytensor.shared(np.asarray(0.0, dtype=pytensor.config.floatX), name="b")
        w0 = w.get_value()

        # Construct PyTensor expression graph
        p_1 = 1 / (1 + pt.exp(-pt.dot(x, w) - b))  # Probability of having a one
        prediction = p_1 > 0.5  # The prediction that is done: 0 or 1
        xent = -y * pt.log(p_1) - (1 - y) * pt.log(1 - p_1)  # Cross-entropy
        cost = pt.cast(xent.mean(), "float32") + 0.01 * (w**2).sum()  # The cost to optimize
        gw, gb = pt.grad(cost, [w, b])

        # Compile expressions to functions
        train = pytensor.function(
            inputs=[x, y],
            outputs=[prediction, xent],
            updates={w: w - 0.01 * gw, b: b - 0.01 * gb},
            name="train",
        )
        predict = pytensor.function(inputs=[x], outputs=prediction, name="predict")

        if any(
            x.op.__class__.__name__ in ("Gemv", "CGemv", "Gemm", "CGemm")
            for x in train.maker.fgraph.toposort()
        ):
            print("Used the cpu")
        else:
            print("ERROR, not able to tell if pytensor used the cpu or another device")
            print(train.maker.fgraph.toposort())

        for i in range(training_steps):  # noqa: B007 (verbatim)
            pred, err = train(D[0], D[1])
    finally:
        pytensor.config.floatX = old_floatx

    assert cost.dtype == "float32" and gw.dtype == "float32" and err.dtype == np.float32
    assert w.get_value().dtype == np.float32 and b.get_value().dtype == np.float32
    w_np, b_np = _train_logistic_numpy(
        D[0].astype("float64"), D[1].astype("float64"), w0.astype("float64"), 0.0, 20, 0.01, 0.01
    )
    np.testing.assert_allclose(w.get_value(), w_np, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b.get_value(), b_np, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(predict(D[0]), _sigmoid(D[0] @ w_np + b_np) > 0.5)


# doc/gallery/introduction/pytensor_intro.ipynb: the logistic regression written
# as a pure function (cells 91, 97, 99, 106). Changes: the notebook simplifies
# the loss with rewrite_graph before grad (see the next test), and its sklearn
# data set is replaced by numpy draws.
def test_intro_notebook_functional_logistic_regression():
    from graph2jax.gradient import grad

    X_pt = pt.tensor("X", shape=(None, None))
    y_pt = pt.tensor("y", shape=(None,))
    alpha_pt = pt.tensor("alpha", shape=())
    beta_pt = pt.tensor("beta", shape=(None,))

    p = pt.sigmoid(alpha_pt + X_pt @ beta_pt)
    p.name = "p_class_0"

    loss = -(y_pt * pt.log(p) + (1 - y_pt) * pt.log(1 - p)).mean()
    loss.name = "cross_entropy"

    # The learning rate is another root variable we need to provide
    eta_pt = pt.tensor("learning_rate", shape=())

    d_alpha, d_beta = grad(loss, wrt=[alpha_pt, beta_pt])

    # Apply gradient updates
    alpha_prime = alpha_pt - eta_pt * d_alpha
    beta_prime = beta_pt - eta_pt * d_beta

    training_fn = pytensor.function(
        [X_pt, y_pt, eta_pt, alpha_pt, beta_pt], [loss, alpha_prime, beta_prime]
    )

    threshold = pt.tensor("threshold", shape=())
    y_hat = (p > threshold).astype(int)
    predict_fn = pytensor.function([X_pt, alpha_pt, beta_pt, threshold], [p, y_hat])

    seed = sum(map(ord, "I <3 Pytensor"))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(100, 5))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + rng.normal(size=100) > 0).astype("float64")

    # Initial values for parameteres
    beta = rng.normal(0, 1, size=(5,))
    alpha = rng.normal(0, 1)

    learning_rate = 1e-1

    n_steps = 30
    histories = [np.empty(n_steps), np.empty(n_steps), np.empty((n_steps, 5))]
    beta_np, alpha_np = beta, alpha
    for t in range(n_steps):
        loss_val, alpha, beta = training_fn(X, y, learning_rate, alpha, beta)
        histories[0][t] = loss_val
        histories[1][t] = alpha
        histories[2][t] = beta

    beta_np, alpha_np = _train_logistic_numpy(X, y, beta_np, alpha_np, n_steps, 1e-1, 0.0)
    np.testing.assert_allclose(beta, beta_np, rtol=1e-9)
    np.testing.assert_allclose(alpha, alpha_np, rtol=1e-9)
    assert np.all(np.diff(histories[0]) < 0), "the loss decreases at every step"
    p_val, y_hat_val = predict_fn(X, alpha, beta, 0.5)
    assert y_hat_val.dtype == np.int64
    np.testing.assert_array_equal(y_hat_val, (_sigmoid(alpha_np + X @ beta_np) > 0.5).astype(int))


# doc/gallery/introduction/pytensor_intro.ipynb, cell 97: simplifying the loss first
def test_intro_notebook_rewrite_graph_before_grad():
    X_pt = pt.tensor("X", shape=(None, None))
    y_pt = pt.tensor("y", shape=(None,))
    beta_pt = pt.tensor("beta", shape=(None,))
    p = pt.sigmoid(X_pt @ beta_pt)
    loss = -(y_pt * pt.log(p) + (1 - y_pt) * pt.log(1 - p)).mean()
    from graph2jax.graph import rewrite_graph

    stable = rewrite_graph(loss, include=("canonicalize", "stabilize"))
    assert "softplus" in pytensor.printing.debugprint(stable, file="str")
    value = stable.eval(
        {X_pt: np.array([[1000.0], [-1000.0]]), y_pt: np.array([0.0, 1.0]), beta_pt: np.ones(1)}
    )
    np.testing.assert_allclose(value, 1000.0)


# doc/tutorial/broadcasting.rst: a column broadcast against a matrix, the runtime
# broadcasting limitation and its three idioms, and static shapes of full,
# constant and shared
def test_broadcasting_tutorial():
    x_matrix = pt.matrix("x_matrix")
    assert x_matrix.type.shape == (None, None)
    y_col = pt.col("y_col")
    assert y_col.type.shape == (None, 1)
    out = x_matrix + y_col
    fn = pytensor.function([x_matrix, y_col], out)
    X = np.arange(9).reshape(3, 3)
    Y = np.arange(3).reshape(3, 1)
    np.testing.assert_array_equal(fn(X, Y), [[0.0, 1.0, 2.0], [4.0, 5.0, 6.0], [8.0, 9.0, 10.0]])

    x_matrix = pt.matrix("x_matrix")
    y_matrix = pt.matrix("y_matrix")
    out = x_matrix + y_matrix
    fn = pytensor.function([x_matrix, y_matrix], out)
    with pytest.raises(ValueError):
        fn(np.zeros((3, 3)), np.zeros((3, 1)))
    assert fn(np.zeros((3, 3)), np.zeros((3, 3))).shape == (3, 3)
    assert fn(np.zeros((3, 1)), np.zeros((3, 1))).shape == (3, 1)

    x_matrix = pt.matrix("x_matrix")
    y_col = pt.matrix("y_col", shape=(None, 1))
    out = x_matrix + y_col
    fn = pytensor.function([x_matrix, y_col], out)
    np.testing.assert_array_equal(fn(np.zeros((3, 3)), np.zeros((3, 1))), np.zeros((3, 3)))

    x_matrix = pt.matrix("x_matrix")
    y_matrix = pt.matrix("y_matrix")
    y_col = pt.specify_shape(y_matrix, (None, 1))
    out = x_matrix + y_col
    fn = pytensor.function([x_matrix, y_matrix], out)
    np.testing.assert_array_equal(fn(np.zeros((3, 3)), np.zeros((3, 1))), np.zeros((3, 3)))

    x_matrix = pt.matrix("x_matrix")
    y_vector = pt.vector("y_vector")
    out = x_matrix + pt.expand_dims(y_vector, 1)  # or x_matrix + y_vector[:, None]
    fn = pytensor.function([x_matrix, y_vector], out)
    np.testing.assert_array_equal(fn(np.zeros((3, 3)), np.zeros(3)), np.zeros((3, 3)))

    n = pt.scalar("n", dtype="int64")
    assert pt.full((n,), 0.0).type.shape == (None,)
    assert pt.full((1,), 0.0).type.shape == (1,)
    assert pt.constant(np.zeros((3, 1))).type.shape == (3, 1)
    value = np.zeros((3, 1))
    assert pytensor.shared(value).type.shape == (None, None)
    assert pytensor.shared(value, shape=(None, 1)).type.shape == (None, 1)


# doc/tutorial/conditions.rst: the switch half of the example (the ifelse half
# runs in docs/ifelse.rst), with PyTensor's 'vm' linker named in the Mode; and
# doc/library/tensor/basic.rst, the `switch` testcode
def test_switch_examples():
    a, b = pt.scalars("a", "b")
    x, y = pt.matrices("x", "y")

    z_switch = pt.switch(pt.lt(a, b), pt.mean(x), pt.mean(y))

    f_switch = pytensor.function(
        [a, b, x, y], z_switch, mode=pytensor.compile.mode.Mode(linker="vm")
    )

    val1 = 0.0
    val2 = 1.0
    big_mat1 = numpy.ones((100, 10))
    big_mat2 = numpy.ones((100, 10))
    assert f_switch(val1, val2, big_mat1, 2 * big_mat2) == 1.0
    assert f_switch(val2, val1, big_mat1, 2 * big_mat2) == 2.0

    a, b = pt.dmatrices("a", "b")
    x, y = pt.dmatrices("x", "y")
    z = pt.switch(pt.lt(a, b), x, y)
    av, bv = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[1.0, 1.0], [1.0, 4.0]])
    xv, yv = np.full((2, 2), 10.0), np.full((2, 2), -10.0)
    np.testing.assert_array_equal(z.eval({a: av, b: bv, x: xv, y: yv}), np.where(av < bv, xv, yv))
