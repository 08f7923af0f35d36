"""Odd but legal uses of the Function shell, checked against PyTensor's behaviour.

Every warning is an error here: in particular JAX's "Some donated buffers
were not usable" must never be emitted by a graph2jax call.
"""

from __future__ import annotations

import copy
import gc
import pickle
import subprocess
import sys
import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt

pytestmark = pytest.mark.filterwarnings("error")


# -- outputs and updates ------------------------------------------------------
def test_output_that_is_an_updated_shared_variable_returns_the_old_value():
    W = g.shared(np.zeros(3), name="W")
    new = W + 1
    f = g.function([], [W, new, g.Out(W, borrow=True)], updates=[(W, new)])
    old, updated, borrowed = f()
    assert np.all(old == 0) and np.all(updated == 1) and np.all(np.asarray(borrowed) == 0)
    old, updated, borrowed = f()
    assert np.all(old == 1) and np.all(updated == 2) and np.all(np.asarray(borrowed) == 1)
    assert np.all(W.get_value() == 2)


def test_update_to_itself_leaves_the_value_unchanged():
    W = g.shared(np.arange(3.0))
    f = g.function([], W * 2, updates=[(W, W)])
    f()
    np.testing.assert_array_equal(f(), [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(W.get_value(), np.arange(3.0))


@pytest.mark.parametrize("outputs, expected", [(None, None), ([], [])])
def test_function_with_only_updates(outputs, expected):
    W = g.shared(np.zeros(2))
    f = g.function([], outputs, updates=[(W, W + 1)])
    assert f() == expected
    assert f() == expected
    np.testing.assert_array_equal(W.get_value(), [2.0, 2.0])


def test_givens_replace_an_updated_shared_variable_in_outputs_and_updates():
    # PyTensor applies givens to the update expressions too: W's update becomes x + 1
    W = g.shared(np.zeros(2))
    x = gt.dvector("x")
    f = g.function([x], W.sum(), updates=[(W, W + 1)], givens=[(W, x)])
    assert float(f(np.full(2, 3.0))) == 6.0
    np.testing.assert_array_equal(W.get_value(), [4.0, 4.0])


def test_givens_and_only_updates():
    # pymc-devs/pytensor#314
    W, V = g.shared(np.zeros(2)), g.shared(np.ones(2))
    x = gt.dvector("x")
    f = g.function([x], None, updates=[(W, W + V)], givens=[(V, x)])
    f(np.full(2, 3.0))
    np.testing.assert_array_equal(W.get_value(), [3.0, 3.0])
    np.testing.assert_array_equal(V.get_value(), [1.0, 1.0])


def test_a_shared_variable_updated_by_two_functions_alternately():
    W = g.shared(np.zeros(2))
    add = g.function([], W.sum(), updates=[(W, W + 1)])
    double = g.function([], W.sum(), updates=[(W, W * 2)])
    sums = [float(fn()) for fn in (add, double, add, double)]
    assert sums == [0.0, 2.0, 4.0, 6.0]
    np.testing.assert_array_equal(W.get_value(), [6.0, 6.0])


# -- buffers passed twice ------------------------------------------------------
def test_two_shared_variables_holding_one_jax_array():
    A, B = g.shared(np.zeros(3)), g.shared(np.zeros(3))
    array = jnp.arange(3.0)
    A.set_value(array, borrow=True)
    B.set_value(array, borrow=True)
    del array
    both = g.function([], A.sum() + B.sum(), updates=[(A, A + 1), (B, B * 2)])
    one = g.function([], B.sum(), updates=[(A, A + 1)])
    assert float(both()) == 6.0
    assert float(one()) == 6.0  # B = 2 * [0, 1, 2]
    np.testing.assert_array_equal(A.get_value(), [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(B.get_value(), [0.0, 2.0, 4.0])


def test_one_array_given_to_two_mutable_inputs_is_not_donated_twice():
    # jax-ml/jax#9635: XLA refuses to donate one buffer twice; the shell copies instead
    x, y = gt.dvectors("x", "y")
    f = g.function([g.In(x, mutable=True), g.In(y, mutable=True)], [x + 1, y * 2])
    array = jnp.arange(3.0)
    plus, times = f(array, array)
    np.testing.assert_array_equal(plus, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(times, [0.0, 2.0, 4.0])


def test_a_shared_buffer_given_as_a_mutable_input_keeps_the_shared_value():
    x = gt.dvector("x")
    W = g.shared(np.arange(3.0))
    f = g.function([g.In(x, mutable=True)], x + W)  # W read, not updated
    np.testing.assert_array_equal(f(W.get_value(borrow=True, return_internal_type=True)), [0, 2, 4])
    np.testing.assert_array_equal(W.get_value(), np.arange(3.0))
    np.testing.assert_array_equal(f(jnp.ones(3)), [1.0, 2.0, 3.0])


# -- donation -------------------------------------------------------------------
def test_training_loop_keeps_live_arrays_and_borrowed_values():
    x = gt.dmatrix("x")
    W, b = g.shared(np.ones((3, 2))), g.shared(np.zeros(2))
    loss = ((x @ W + b) ** 2).sum()
    gW, gb = g.grad(loss, [W, b])
    step = g.function([x], loss, updates=[(W, W - 0.01 * gW), (b, b - 0.01 * gb)])
    data = np.ones((4, 3))
    borrowed = W.get_value(borrow=True, return_internal_type=True)
    view = W.get_value(borrow=True)
    for _ in range(3):
        step(data)
    gc.collect()
    before = len(jax.live_arrays())
    for _ in range(30):
        step(data)
    gc.collect()
    assert len(jax.live_arrays()) <= before
    np.testing.assert_array_equal(np.asarray(borrowed), np.ones((3, 2)))
    np.testing.assert_array_equal(view, np.ones((3, 2)))


def test_update_of_another_shape_donates_nothing_and_warns_nothing():
    x = gt.dvector("x")
    W = g.shared(np.zeros(3))
    grow = g.function(
        [g.In(x, mutable=True)], [x * 2, W.sum()], updates=[(W, gt.concatenate([W, x]))]
    )
    held = W.get_value(borrow=True, return_internal_type=True)
    grow(jnp.ones(3))
    assert float(grow(jnp.ones(3), output_subset=[1])[0]) == 3.0
    assert W.get_value().shape == (9,) and held.shape == (3,) and not held.is_deleted()
    W.set_value(np.zeros(2))  # a new signature, and back to a known one
    grow(jnp.ones(3))
    W.set_value(np.zeros(3))
    grow(jnp.ones(3))
    assert grow.lower(np.ones(3)).as_text()
    assert W.get_value().shape == (6,)


def test_set_value_to_a_new_shape_then_update():
    W = g.shared(np.zeros(3))
    f = g.function([], W.sum(), updates=[(W, W + 1)])
    f()
    W.set_value(np.zeros(5))
    f()
    assert float(f()) == 5.0


def test_mutable_input_with_no_output_of_its_type_is_not_donated():
    x = gt.dvector("x")
    f = g.function([g.In(x, mutable=True)], x.sum())
    array = jnp.arange(3.0)
    assert float(f(array)) == 3.0
    assert not array.is_deleted()


def test_stateful_input_whose_update_changes_shape():
    a = gt.dvector("a")
    f = g.function([g.In(a, value=np.zeros(1), update=gt.concatenate([a, a]))], a.sum())
    for _ in range(3):
        f()
    assert f["a"].shape == (8,)


def test_debug_mode_update_of_another_shape():
    W = g.shared(np.zeros(2))
    f = g.function([], W.sum(), updates=[(W, gt.concatenate([W, W + 1]))], mode="DebugMode")
    f()
    assert float(f()) == 2.0


# -- arguments ---------------------------------------------------------------------
def test_arguments_of_every_kind_compile_once():
    x = gt.dscalar("x")
    f = g.function([x], 2 * x)
    for value in [1.0, np.asarray(2.0), np.float64(3.0), 4, np.float32(5.0), jnp.asarray(6.0)] * 2:
        f(value)
    f(x=jnp.asarray(7.0))  # weakly typed jax arrays are made strong: no second executable
    assert f.maker.linked(None).trace_count == 1
    v = gt.dmatrix("v")
    fv = g.function([v], v.sum(axis=0))
    a = np.arange(12.0).reshape(3, 4)
    for value, expected in [
        (a[:, ::2], a[:, ::2].sum(0)),  # non-contiguous view
        (a.T, a.T.sum(0)),
        (np.asfortranarray(a), a.sum(0)),
        (jnp.asarray(a), a.sum(0)),
        ([[1, 2], [3, 4]], [4.0, 6.0]),
        (np.zeros((0, 3)), np.zeros(3)),
    ]:
        out = fv(value)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        np.testing.assert_array_equal(out, expected)


def test_many_inputs():
    xs = [gt.dscalar(f"x{i}") for i in range(300)]
    f = g.function(xs, gt.stack(xs).sum())
    assert float(f(*range(300))) == sum(range(300))


def test_keyword_default_and_implicit_inputs_mixed():
    x, y, z, s = gt.dscalars("x", "y", "z", "s")
    W = g.shared(2.0)
    f = g.function(
        [x, g.In(y, value=1.0), g.In(s, value=W, implicit=True), g.In(z, value=5.0)],
        x + 10 * y + 100 * z + 1000 * s,
    )
    assert float(f(1.0)) == 2511.0
    assert float(f(1.0, z=2.0)) == 2211.0
    assert float(f(x=1.0, y=0.0)) == 2501.0
    assert float(f(1.0, 2.0, 3.0)) == 2321.0  # implicit inputs take no position
    W.set_value(0.0)
    assert float(f(1.0)) == 511.0


def test_trust_input_with_wrong_inputs_leaves_shared_state_intact():
    x = gt.dvector("x")
    W = g.shared(np.zeros(3))
    f = g.function([x], W.sum(), updates=[(W, W + x)])
    f.trust_input = True
    with pytest.raises((TypeError, ValueError)):
        f("abc")
    with pytest.raises((TypeError, ValueError)):
        f(np.ones(4))
    np.testing.assert_array_equal(W.get_value(), np.zeros(3))
    f(np.ones(3))
    np.testing.assert_array_equal(W.get_value(), np.ones(3))


def test_interrupt_while_converting_arguments_changes_nothing():
    class Interrupting:
        def __array__(self, dtype=None, copy=None):
            raise KeyboardInterrupt

    x = gt.dvector("x")
    W = g.shared(np.zeros(3))
    f = g.function([x], W.sum(), updates=[(W, W + x)])
    with pytest.raises(KeyboardInterrupt):
        f(Interrupting())
    np.testing.assert_array_equal(W.get_value(), np.zeros(3))
    f(np.ones(3))
    np.testing.assert_array_equal(W.get_value(), np.ones(3))


def test_runtime_shape_error_leaves_shared_state_intact():
    x = gt.dvector("x")
    W = g.shared(np.zeros(3))
    f = g.function([x], gt.specify_shape(x, (3,)).sum(), updates=[(W, W + 1)])
    with pytest.raises(ValueError, match="specify_shape"):
        f(np.ones(4))
    np.testing.assert_array_equal(W.get_value(), np.zeros(3))


# -- copies, pickles, threads ----------------------------------------------------------
def _stateful():
    acc, x = gt.dscalars("acc", "x")
    W = g.shared(np.zeros(2), name="W")
    f = g.function([x, g.In(acc, value=0.0, update=acc + x)], acc, updates=[(W, W + x)])
    return f, W


def test_copy_share_memory_then_call_both():
    f, W = _stateful()
    c = f.copy(share_memory=True)
    f(1.0)
    c(2.0)
    assert float(f(3.0)) == 3.0
    assert float(f["acc"]) == float(c["acc"]) == 6.0
    np.testing.assert_array_equal(W.get_value(), [6.0, 6.0])


def test_pickle_and_deepcopy_after_calls_keep_the_state_separate():
    f, W = _stateful()
    f(1.0)
    f(2.0)
    loaded, deep = pickle.loads(pickle.dumps(f)), copy.deepcopy(f)
    for clone in (loaded, deep):
        assert float(clone(5.0)) == 3.0 and float(clone["acc"]) == 8.0
        np.testing.assert_array_equal(clone.maker.shared[0].get_value(), [8.0, 8.0])
    np.testing.assert_array_equal(W.get_value(), [3.0, 3.0])
    assert float(f["acc"]) == 3.0


def test_unpickle_in_a_fresh_process():
    f, _ = _stateful()
    f(1.0)
    code = (
        "import pickle, sys; f = pickle.loads(sys.stdin.buffer.read()); "
        "print(float(f(2.0)), float(f['acc']), f.maker.shared[0].get_value().tolist())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(f), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().split() == ["1.0", "3.0", "[3.0,", "3.0]"]


def test_recompiling_the_same_graph_shares_only_the_shared_variable():
    x = gt.dscalar("x")
    W = g.shared(0.0)
    for _ in range(3):
        g.function([x], W, updates=[(W, W + x)])(1.0)
    assert float(W.get_value()) == 3.0


def test_eval_of_a_shared_expression_follows_set_value():
    W = g.shared(np.arange(3.0))
    total = (W * 2).sum()
    assert float(total.eval()) == 6.0
    W.set_value(np.full(4, 5.0))
    assert float(total.eval()) == 40.0


def test_set_value_from_another_thread_during_calls():
    W = g.shared(np.zeros(100))
    f = g.function([], W.sum(), updates=[(W, W + 1)])
    f()
    stop, errors = threading.Event(), []

    def reset():
        while not stop.is_set():
            try:
                W.set_value(np.zeros(100))
            except Exception as err:  # noqa: BLE001 - collected for the assertion
                errors.append(err)

    thread = threading.Thread(target=reset)
    thread.start()
    try:
        for _ in range(100):
            f()
    finally:
        stop.set()
        thread.join()
    assert not errors
    value = W.get_value()
    assert np.all(value == value[0])  # never a torn or deleted buffer


# -- found by these scenarios ------------------------------------------------------
def test_swapping_two_shared_variables():
    A, B = g.shared(np.zeros(3)), g.shared(np.ones(3))
    f = g.function([], [A.sum(), B.sum()], updates=[(A, B), (B, A)])
    assert [tuple(map(float, f())) for _ in range(3)] == [(0, 3), (3, 0), (0, 3)]
    np.testing.assert_array_equal(A.get_value(), np.ones(3))
    np.testing.assert_array_equal(B.get_value(), np.zeros(3))


def test_default_update_is_rebuilt_with_givens():
    # as PyTensor: the default update a + 3 becomes (a + 10) + 3
    a = g.shared(1.0, "a")
    a.default_update = a + 3
    f = g.function([], a + 10, givens={a: a + 10})
    assert float(f()) == 21.0
    assert float(f()) == 34.0


def test_an_input_given_twice_is_an_unused_input_error():
    x = gt.dscalar("x")
    with pytest.raises(g.compile.UnusedInputError, match="Variable x is used twice in inputs"):
        g.function([x, g.In(x)], x)


def test_calling_a_function_on_tracers_raises_and_keeps_shared_state():
    x = gt.dscalar("x")
    W = g.shared(0.0)
    f = g.function([x], x * 2, updates=[(W, W + x)])
    with pytest.raises(TypeError, match="jax_fn"):
        jax.jit(lambda v: f(v))(jnp.asarray(1.0))
    assert float(W.get_value()) == 0.0
    new_w = jax.jit(f.jax_fn)(jnp.asarray(1.0), jnp.asarray(0.0))[1]
    assert float(new_w) == 1.0
    f.trust_input = True  # no argument check: the tracer is caught before any write-back
    with pytest.raises(TypeError, match="jax_fn"):
        jax.jit(lambda v: f(v))(jnp.asarray(1.0))
    assert float(W.get_value()) == 0.0
    assert float(f(np.asarray(2.0))) == 4.0 and float(W.get_value()) == 2.0


def test_a_jax_array_set_as_a_stateful_default_stays_valid():
    a = gt.dvector("a")
    f = g.function([g.In(a, value=np.ones(2), update=a + 1)], a * 2)
    array = jnp.ones(2)
    f["a"] = array  # the container keeps its own copy, which the calls donate
    f()
    f()
    assert not array.is_deleted()
    np.testing.assert_array_equal(np.asarray(array), np.ones(2))
    np.testing.assert_array_equal(f["a"], [3.0, 3.0])


def test_an_input_defaulting_to_a_shared_variable_reads_and_updates_it():
    x = gt.dscalar("x")
    W = g.shared(2.0)
    f = g.function([g.In(x, value=W, implicit=False)], x * 10)
    assert float(f()) == 20.0
    W.set_value(3.0)
    assert float(f()) == 30.0
    assert float(f(5.0)) == 50.0  # an argument is used for this call only
    assert float(W.get_value()) == 3.0
    held = W.get_value(borrow=True, return_internal_type=True)
    counter = g.function([g.In(x, value=W, implicit=True, update=x + 1)], x * 10)
    assert [float(counter()) for _ in range(2)] == [30.0, 40.0]
    assert float(W.get_value()) == 5.0 and not held.is_deleted()


def test_a_shared_variable_and_its_clone_in_one_function():
    W = g.shared(np.arange(3.0))
    f = g.function([], (W + W.clone()).sum(), updates=[(W, W + 1)])
    assert [float(f()), float(f())] == [6.0, 12.0]
    np.testing.assert_array_equal(W.get_value(), [2.0, 3.0, 4.0])
