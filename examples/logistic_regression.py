"""PyTensor's tutorial logistic regression, ported by changing its imports only.

The body below is "A Real Example: Logistic Regression" from PyTensor's
tutorial (doc/tutorial/examples.rst in github.com/pymc-devs/pytensor)
verbatim, apart from the two import lines and the accuracy print at the end.
Run it with ``python examples/logistic_regression.py``.

With 784 features the random initial weights saturate the logistic for some
rows, where ``1 / (1 + exp(-z))`` rounds to exactly 0 or 1. As in PyTensor, the
stabilizing rewrites turn ``log(p_1)`` and ``log(1 - p_1)`` into softplus forms,
and ``grad`` differentiates those, so the weights stay finite.
"""

import numpy as np

import graph2jax as pytensor
import graph2jax.tensor as pt

rng = np.random.default_rng(2882)

N = 400  # training sample size
feats = 784  # number of input variables

# generate a dataset: D = (input_values, target_class)
D = (rng.standard_normal((N, feats)), rng.integers(size=N, low=0, high=2))
training_steps = 10000

# Declare PyTensor symbolic variables
x = pt.dmatrix("x")
y = pt.dvector("y")

# initialize the weight vector w randomly
#
# this and the following bias variable b
# are shared so they keep their values
# between training iterations (updates)
w = pytensor.shared(rng.standard_normal(feats), name="w")

# initialize the bias term
b = pytensor.shared(0.0, name="b")

print("Initial model:")
print(w.get_value())
print(b.get_value())

# Construct PyTensor expression graph
p_1 = 1 / (1 + pt.exp(-pt.dot(x, w) - b))  # Probability that target = 1
prediction = p_1 > 0.5  # The prediction thresholded
xent = -y * pt.log(p_1) - (1 - y) * pt.log(1 - p_1)  # Cross-entropy loss function
cost = xent.mean() + 0.01 * (w**2).sum()  # The cost to minimize
gw, gb = pt.grad(cost, [w, b])  # Compute the gradient of the cost
# w.r.t weight vector w and
# bias term b (we shall
# return to this in a
# following section of this
# tutorial)

# Compile
train = pytensor.function(
    inputs=[x, y], outputs=[prediction, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb))
)
predict = pytensor.function(inputs=[x], outputs=prediction)

# Train
for i in range(training_steps):  # noqa: B007 (verbatim)
    pred, err = train(D[0], D[1])

print("Final model:")
print(w.get_value())
print(b.get_value())
print("target values for D:")
print(D[1])
print("prediction on D:")
print(predict(D[0]))
print("training accuracy:", np.mean(predict(D[0]) == D[1]))
