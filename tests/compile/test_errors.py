"""Bad inputs raise clear TypeErrors, and a failed call changes no shared variable."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.function.types import Function
from graph2jax.types.sharedvar import SharedVariable


@pytest.fixture(scope="module")
def stateful():
    """A function updating two shared variables from a vector input."""
    x = gt.dvector("x")
    a = g.shared(np.zeros(3), name="a")
    b = g.shared(np.int64(0), name="b")
    f = g.function([x], a + x, updates=[(a, a + x), (b, b + 1)])
    return x, a, b, f


def _state(*variables):
    return [v.get_value() for v in variables]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.zeros((3, 1)), "expected 1"),  # wrong ndim
        ("abc", "str"),  # not numbers
        (np.array([1 + 1j, 0, 0]), "complex128"),  # a lossy cast
    ],
)
def test_bad_input_is_a_type_error_naming_the_input_and_types(stateful, bad, match):
    _, a, b, f = stateful
    before = _state(a, b)
    with pytest.raises(TypeError, match=match) as info:
        f(bad)
    message = str(info.value)
    assert "'x'" in message and "float64" in message  # the variable and its type
    for old, new in zip(before, _state(a, b), strict=True):
        np.testing.assert_array_equal(old, new)


def test_error_inside_the_computation_leaves_shared_variables_untouched():
    x = gt.dvector("x")
    y = gt.dvector("y")
    a = g.shared(np.zeros(2), name="a")
    f = g.function([x, y], [], updates=[(a, a + x * y)])
    f(np.ones(2), np.ones(2))
    with pytest.raises((ValueError, TypeError)):
        f(np.ones(2), np.ones(3))  # shapes that cannot broadcast: fails while tracing
    assert not a.get_value(borrow=True, return_internal_type=True).is_deleted()
    np.testing.assert_array_equal(a.get_value(), np.ones(2))
    f(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(a.get_value(), np.full(2, 2.0))


def test_keyboard_interrupt_during_write_back_completes_every_update(stateful, monkeypatch):
    _, a, b, f = stateful
    a.set_value(np.zeros(3))
    b.set_value(0)
    real_write = SharedVariable._write
    interrupted = []

    def write_once_interrupted(self, value):
        if not interrupted:
            interrupted.append(self.name)
            raise KeyboardInterrupt
        real_write(self, value)

    monkeypatch.setattr(SharedVariable, "_write", write_once_interrupted)
    with pytest.raises(KeyboardInterrupt):
        f(np.ones(3))
    monkeypatch.setattr(SharedVariable, "_write", real_write)
    assert interrupted
    # all or nothing: the old buffers were donated, so the call's updates are all applied
    np.testing.assert_array_equal(a.get_value(), np.ones(3))
    assert int(b.get_value()) == 1
    f(np.ones(3))
    np.testing.assert_array_equal(a.get_value(), np.full(3, 2.0))


def test_keyboard_interrupt_right_after_dispatch_still_writes_back(stateful, monkeypatch):
    _, a, b, f = stateful
    a.set_value(np.zeros(3))
    b.set_value(0)
    real = Function._write_back
    calls = []

    def interrupted_once(self, results, shift):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt  # arrives before any update is stored
        real(self, results, shift)

    monkeypatch.setattr(Function, "_write_back", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        f(np.full(3, 2.0))
    monkeypatch.undo()
    np.testing.assert_array_equal(a.get_value(), np.full(3, 2.0))
    assert int(b.get_value()) == 1
    assert not a.get_value(borrow=True, return_internal_type=True).is_deleted()


def test_keyboard_interrupt_before_dispatch_changes_nothing(stateful, monkeypatch):
    _, a, b, f = stateful
    before = _state(a, b)
    linked = f.maker.linked()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(linked, "call", interrupted)
    with pytest.raises(KeyboardInterrupt):
        f(np.ones(3))
    monkeypatch.undo()
    for old, new in zip(before, _state(a, b), strict=True):
        np.testing.assert_array_equal(old, new)
    assert not a.get_value(borrow=True, return_internal_type=True).is_deleted()


def test_threads_never_lose_an_update():
    counter = g.shared(np.int64(0), name="counter")
    total = g.shared(np.float64(0.0), name="total")
    inc = g.function([], [], updates=[(counter, counter + 1), (total, total + 0.5)])
    add_two = g.function(
        [], [], updates=[(counter, counter + 2)]
    )  # the same variable, another function
    n_threads, n_calls = 4, 200

    def work(fn):
        for _ in range(n_calls):
            fn()

    threads = [
        threading.Thread(target=work, args=(inc if k % 2 else add_two,)) for k in range(n_threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert int(counter.get_value()) == (n_threads // 2) * n_calls * 3
    assert float(total.get_value()) == (n_threads // 2) * n_calls * 0.5


def test_threads_times_calls_exact_count():
    counter = g.shared(np.int64(0), name="counter")
    inc = g.function([], counter, updates=[(counter, counter + 1)])
    threads = [threading.Thread(target=lambda: [inc() for _ in range(200)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert int(counter.get_value()) == 4 * 200


def test_missing_input_is_reported_when_compiling():
    x, y = gt.dscalars("x", "y")
    with pytest.raises(g.MissingInputError, match="'y'"):
        g.function([x], x + y)


def test_readers_never_see_a_buffer_donated_by_a_concurrent_update():
    param = g.shared(np.zeros(1000), name="param")
    step = g.function([], [], updates=[(param, param + 1)])
    read = g.function([], param * 1.0)
    errors = []

    def run(fn):
        try:
            for _ in range(200):
                fn()
        except Exception as err:  # a deleted buffer would surface here
            errors.append(err)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (step, read, step, read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    np.testing.assert_array_equal(param.get_value(), np.full(1000, 400.0))


class _CountingLock:
    """A lock that counts how often it is held, and can be interrupted while it is taken."""

    def __init__(self, interrupt: bool):
        self.interrupt, self.held = interrupt, 0

    def acquire(self) -> None:
        if self.interrupt:
            raise KeyboardInterrupt
        self.held += 1

    def release(self) -> None:
        self.held -= 1


def test_an_interrupt_while_taking_the_locks_releases_those_taken():
    x = gt.dvector("x")
    a, b = g.shared(np.zeros(2), name="a"), g.shared(np.zeros(2), name="b")
    f = g.function([x], [], updates=[(a, a + x), (b, b + x)])
    first, second = _CountingLock(False), _CountingLock(True)
    f._locks = (first, second)
    with pytest.raises(KeyboardInterrupt):
        f(np.ones(2))
    assert first.held == 0 and second.held == 0
    np.testing.assert_array_equal(a.get_value(), [0.0, 0.0])
    np.testing.assert_array_equal(b.get_value(), [0.0, 0.0])
    second.interrupt = False
    f(np.ones(2))
    assert first.held == 0 and second.held == 0
    np.testing.assert_array_equal(b.get_value(), [1.0, 1.0])
