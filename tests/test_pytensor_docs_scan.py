"""PyTensor's scan tutorial (doc/tutorial/loop.rst), each example with only the imports changed.

Copied as in :mod:`tests.test_pytensor_scripts` (commit f857e69611b9); the printed
comparisons of the page become assertions. The example with a binomial random
variable is left out until random streams are built.
"""

from __future__ import annotations

import numpy
import numpy as np

import graph2jax as pytensor
import graph2jax.tensor as pt


def test_elementwise_tanh_over_rows():
    X = pt.matrix("X")
    W = pt.matrix("W")
    b_sym = pt.vector("b_sym")
    results, updates = pytensor.scan(lambda v: pt.tanh(pt.dot(v, W) + b_sym), sequences=X)
    compute_elementwise = pytensor.function(inputs=[X, W, b_sym], outputs=results)
    x = np.eye(2, dtype=pytensor.config.floatX)
    w = np.ones((2, 2), dtype=pytensor.config.floatX)
    b = np.ones((2), dtype=pytensor.config.floatX)
    b[1] = 2
    np.testing.assert_allclose(compute_elementwise(x, w, b), np.tanh(x.dot(w) + b), rtol=1e-6)


def test_recurrence_with_a_reversed_sequence():
    X = pt.vector("X")
    W = pt.matrix("W")
    U = pt.matrix("U")
    Y = pt.matrix("Y")
    V = pt.matrix("V")
    P = pt.matrix("P")
    results, updates = pytensor.scan(
        lambda y, p, x_tm1: pt.tanh(pt.dot(x_tm1, W) + pt.dot(y, U) + pt.dot(p, V)),
        sequences=[Y, P[::-1]],
        outputs_info=[X],
    )
    compute_seq = pytensor.function(inputs=[X, W, Y, U, P, V], outputs=results)
    x = np.zeros((2), dtype=pytensor.config.floatX)
    x[1] = 1
    w = np.ones((2, 2), dtype=pytensor.config.floatX)
    y = np.ones((5, 2), dtype=pytensor.config.floatX)
    y[0, :] = -3
    u = np.ones((2, 2), dtype=pytensor.config.floatX)
    p = np.ones((5, 2), dtype=pytensor.config.floatX)
    p[0, :] = 3
    v = np.ones((2, 2), dtype=pytensor.config.floatX)
    x_res = np.zeros((5, 2), dtype=pytensor.config.floatX)
    x_res[0] = np.tanh(x.dot(w) + y[0].dot(u) + p[4].dot(v))
    for i in range(1, 5):
        x_res[i] = np.tanh(x_res[i - 1].dot(w) + y[i].dot(u) + p[4 - i].dot(v))
    np.testing.assert_allclose(compute_seq(x, w, y, u, p, v), x_res, rtol=1e-6)


def test_norms_of_lines_and_columns():
    X = pt.matrix("X")
    results, updates = pytensor.scan(lambda x_i: pt.sqrt((x_i**2).sum()), sequences=[X])
    compute_norm_lines = pytensor.function(inputs=[X], outputs=results)
    results, updates = pytensor.scan(lambda x_i: pt.sqrt((x_i**2).sum()), sequences=[X.T])
    compute_norm_cols = pytensor.function(inputs=[X], outputs=results)
    x = np.diag(np.arange(1, 6, dtype=pytensor.config.floatX), 1)
    np.testing.assert_allclose(compute_norm_lines(x), np.sqrt((x**2).sum(1)))
    np.testing.assert_allclose(compute_norm_cols(x), np.sqrt((x**2).sum(0)))


def test_trace_by_two_index_sequences():
    floatX = "float32"
    X = pt.matrix("X")
    results, updates = pytensor.scan(
        lambda i, j, t_f: pt.cast(X[i, j] + t_f, floatX),
        sequences=[pt.arange(X.shape[0]), pt.arange(X.shape[1])],
        outputs_info=np.asarray(0.0, dtype=floatX),
    )
    result = results[-1]
    compute_trace = pytensor.function(inputs=[X], outputs=result)
    x = np.eye(5, dtype=pytensor.config.floatX)
    x[0] = np.arange(5, dtype=pytensor.config.floatX)
    assert compute_trace(x) == np.diagonal(x).sum() == 4.0


def test_two_taps_recurrence():
    X = pt.matrix("X")
    W = pt.matrix("W")
    b_sym = pt.vector("b_sym")
    U = pt.matrix("U")
    V = pt.matrix("V")
    n_sym = pt.iscalar("n_sym")
    results, updates = pytensor.scan(
        lambda x_tm2, x_tm1: (
            pt.dot(x_tm2, U) + pt.dot(x_tm1, V) + pt.tanh(pt.dot(x_tm1, W) + b_sym)
        ),
        n_steps=n_sym,
        outputs_info=[dict(initial=X, taps=[-2, -1])],
    )
    compute_seq2 = pytensor.function(inputs=[X, U, V, W, b_sym, n_sym], outputs=results)
    x = np.zeros((2, 2), dtype=pytensor.config.floatX)
    x[1, 1] = 1
    w = 0.5 * np.ones((2, 2), dtype=pytensor.config.floatX)
    u = 0.5 * (
        np.ones((2, 2), dtype=pytensor.config.floatX) - np.eye(2, dtype=pytensor.config.floatX)
    )
    v = 0.5 * np.ones((2, 2), dtype=pytensor.config.floatX)
    n = 10
    b = np.ones((2), dtype=pytensor.config.floatX)
    x_res = np.zeros((10, 2))
    x_res[0] = x[0].dot(u) + x[1].dot(v) + np.tanh(x[1].dot(w) + b)
    x_res[1] = x[1].dot(u) + x_res[0].dot(v) + np.tanh(x_res[0].dot(w) + b)
    x_res[2] = x_res[0].dot(u) + x_res[1].dot(v) + np.tanh(x_res[1].dot(w) + b)
    for i in range(2, 10):
        x_res[i] = x_res[i - 2].dot(u) + x_res[i - 1].dot(v) + np.tanh(x_res[i - 1].dot(w) + b)
    np.testing.assert_allclose(compute_seq2(x, u, v, w, b, n), x_res, rtol=1e-6)
    np.testing.assert_allclose(compute_seq2(x, u, v, w, b, n)[-1], [54.28407732, 54.25282732])


def test_jacobian_by_scan():
    v = pt.vector()
    A = pt.matrix()
    y = pt.tanh(pt.dot(v, A))
    results, updates = pytensor.scan(lambda i: pt.grad(y[i], v), sequences=[pt.arange(y.shape[0])])
    compute_jac_t = pytensor.function([A, v], results, allow_input_downcast=True)
    x = np.eye(5, dtype=pytensor.config.floatX)[0]
    w = np.eye(5, 3, dtype=pytensor.config.floatX)
    w[2] = np.ones((3), dtype=pytensor.config.floatX)
    np.testing.assert_allclose(compute_jac_t(w, x), ((1 - np.tanh(x.dot(w)) ** 2) * w).T, rtol=1e-6)


def test_accumulate_the_number_of_steps_in_a_shared_variable():
    k = pytensor.shared(0)
    n_sym = pt.iscalar("n_sym")
    results, updates = pytensor.scan(lambda: {k: (k + 1)}, n_steps=n_sym)
    accumulator = pytensor.function([n_sym], [], updates=updates, allow_input_downcast=True)
    assert k.get_value() == 0
    accumulator(5)
    assert k.get_value() == 5


def test_power_and_polynomial():
    k = pt.iscalar("k")
    A = pt.vector("A")

    def inner_fct(prior_result, B):
        return prior_result * B

    result, updates = pytensor.scan(
        fn=inner_fct, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=k
    )
    final_result = result[-1]
    power = pytensor.function(inputs=[A, k], outputs=final_result, updates=updates)
    np.testing.assert_allclose(power(range(10), 2), np.arange(10.0) ** 2)

    coefficients = pytensor.tensor.vector("coefficients")
    x = pt.scalar("x")
    max_coefficients_supported = 10000
    full_range = pytensor.tensor.arange(max_coefficients_supported)
    components, updates = pytensor.scan(
        fn=lambda coeff, power, free_var: coeff * (free_var**power),
        outputs_info=None,
        sequences=[coefficients, full_range],
        non_sequences=x,
    )
    polynomial = components.sum()
    calculate_polynomial = pytensor.function(inputs=[coefficients, x], outputs=polynomial)
    test_coeff = numpy.asarray([1, 0, 2], dtype=numpy.float32)
    assert calculate_polynomial(test_coeff, 3) == 19.0


# doc/library/scan.rst (same commit): the examples the tutorial does not repeat
def test_library_triangular_numbers_and_set_value_at_position():
    up_to = pt.iscalar("up_to")

    def accumulate_by_adding(arange_val, sum_to_date):
        return sum_to_date + arange_val

    seq = pt.arange(up_to)
    outputs_info = pt.as_tensor_variable(np.asarray(0, seq.dtype))
    scan_result, scan_updates = pytensor.scan(
        fn=accumulate_by_adding, outputs_info=outputs_info, sequences=seq
    )
    triangular_sequence = pytensor.function(inputs=[up_to], outputs=scan_result)
    some_num = 15
    assert triangular_sequence(some_num).tolist() == [n * (n + 1) // 2 for n in range(some_num)]

    location = pt.imatrix("location")
    values = pt.vector("values")
    output_model = pt.matrix("output_model")

    def set_value_at_position(a_location, a_value, output_model):
        zeros = pt.zeros_like(output_model)
        zeros_subtensor = zeros[a_location[0], a_location[1]]
        return pt.set_subtensor(zeros_subtensor, a_value)

    result, updates = pytensor.scan(
        fn=set_value_at_position,
        outputs_info=None,
        sequences=[location, values],
        non_sequences=output_model,
    )
    assign_values_at_positions = pytensor.function(
        inputs=[location, values, output_model], outputs=result
    )
    test_locations = numpy.asarray([[1, 1], [2, 3]], dtype=numpy.int32)
    test_values = numpy.asarray([42, 50], dtype=numpy.float32)
    test_output_model = numpy.zeros((5, 5), dtype=numpy.float32)
    expected = np.zeros((2, 5, 5))
    expected[0, 1, 1], expected[1, 2, 3] = 42, 50
    np.testing.assert_array_equal(
        assign_values_at_positions(test_locations, test_values, test_output_model), expected
    )


def test_library_shared_updates_are_applied_by_the_function():
    a = pytensor.shared(1)
    values, updates = pytensor.scan(lambda: {a: a + 1}, n_steps=10)
    b = a + 1
    c = updates[a] + 1
    f = pytensor.function([], [b, c], updates=updates)
    assert a.get_value() == 1
    assert [int(v) for v in f()] == [2, 12]
    assert a.get_value() == 11
    assert [int(v) for v in f()] == [12, 22]


def test_library_rnn_with_several_taps():
    def oneStep(u_tm4, u_t, x_tm3, x_tm1, y_tm1, W, W_in_1, W_in_2, W_feedback, W_out):
        x_t = pt.tanh(
            pytensor.dot(x_tm1, W)
            + pytensor.dot(u_t, W_in_1)
            + pytensor.dot(u_tm4, W_in_2)
            + pytensor.dot(y_tm1, W_feedback)
        )
        y_t = pytensor.dot(x_tm3, W_out)
        return [x_t, y_t]

    W = pt.matrix()
    W_in_1 = pt.matrix()
    W_in_2 = pt.matrix()
    W_feedback = pt.matrix()
    W_out = pt.matrix()
    u = pt.matrix()
    x0 = pt.matrix()
    y0 = pt.vector()
    ([x_vals, y_vals], updates) = pytensor.scan(
        fn=oneStep,
        sequences=dict(input=u, taps=[-4, -0]),
        outputs_info=[dict(initial=x0, taps=[-3, -1]), y0],
        non_sequences=[W, W_in_1, W_in_2, W_feedback, W_out],
        strict=True,
    )
    f = pytensor.function([u, x0, y0, W, W_in_1, W_in_2, W_feedback, W_out], [x_vals, y_vals])
    rng = np.random.default_rng(0)
    nx, ny, nu = 3, 2, 2
    uv = rng.normal(size=(9, nu))
    x0v, y0v = rng.normal(size=(3, nx)), rng.normal(size=ny)
    ws = [rng.normal(size=s) for s in ((nx, nx), (nu, nx), (nu, nx), (ny, nx), (nx, ny))]
    xs, ys = list(x0v), [y0v]
    for t in range(4, 9):  # uvals[0] is u[-4]: the loop starts at uvals[4]
        xs.append(np.tanh(xs[-1] @ ws[0] + uv[t] @ ws[1] + uv[t - 4] @ ws[2] + ys[-1] @ ws[3]))
        ys.append(xs[-4] @ ws[4])
    got_x, got_y = f(uv, x0v, y0v, *ws)
    np.testing.assert_allclose(got_x, xs[3:], rtol=1e-6)
    np.testing.assert_allclose(got_y, ys[1:], rtol=1e-6)


def test_library_until_powers_of_two():
    def power_of_2(previous_power, max_value):
        return previous_power * 2, pytensor.scan.utils.until(previous_power * 2 > max_value)

    max_value = pt.scalar()
    values, _ = pytensor.scan(
        power_of_2, outputs_info=pt.constant(1.0), non_sequences=max_value, n_steps=1024
    )
    f = pytensor.function([max_value], values)
    np.testing.assert_array_equal(f(45), [2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
