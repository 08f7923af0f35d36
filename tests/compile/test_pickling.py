"""Pickling functions and ``function_dump``."""

from __future__ import annotations

import pickle

import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.function import function, function_dump
from graph2jax.compile.io import In


def test_function_pickle_keeps_graph_defaults_and_shared_values():
    x, y = gt.dscalars("x", "y")
    w = g.shared(np.float64(2.0), name="w")
    f = function([x, In(y, value=3.0)], x * w + y, updates=[(w, w + 1)], name="fw")
    f(0.0)
    f["y"] = 10.0
    back = pickle.loads(pickle.dumps(f))
    assert back.name == "fw" and back.maker._linked == {}  # the jitted callable is rebuilt on load
    assert float(back["y"]) == 10.0
    w_back = back.maker.shared[0]
    assert w_back is not w and float(w_back.get_value()) == 3.0
    assert float(back(1.0)) == 13.0 and float(w_back.get_value()) == 4.0
    assert float(w.get_value()) == 3.0  # the original is independent


def test_functions_pickled_together_keep_one_shared_variable():
    counter = g.shared(np.int64(0), name="counter")
    inc = function([], counter, updates=[(counter, counter + 1)])
    read = function([], counter * 10)
    inc2, read2 = pickle.loads(pickle.dumps((inc, read)))
    assert inc2.maker.shared[0] is read2.maker.shared[0]
    inc2()
    inc2()
    assert int(read2()) == 20
    assert int(counter.get_value()) == 0


def test_pickled_stateful_input_and_trust_input():
    x, s = gt.dscalars("x", "s")
    f = function([x, In(s, value=0.0, update=s + x)], s)
    f(5.0)
    f.trust_input = True
    back = pickle.loads(pickle.dumps(f))
    assert back.trust_input is True
    back.trust_input = False
    assert float(back(1.0)) == 5.0 and float(back["s"]) == 6.0


def test_function_dump_round_trip(tmp_path):
    x = gt.dvector("x")
    w = g.shared(np.array([1.0, 2.0]), name="w")
    out = gt.tanh(x * w)
    path = tmp_path / "dump.pkl"
    function_dump(str(path), [x], out, updates=[(w, w * 2)], name="dumped")
    with open(path, "rb") as fh:
        arguments = pickle.load(fh)
    assert arguments["name"] == "dumped"
    rebuilt = g.function(**arguments)
    original = g.function([x], out, updates=[(w, w * 2)])
    value = np.array([0.3, -0.2])
    np.testing.assert_allclose(rebuilt(value), np.tanh(value * [1.0, 2.0]))
    np.testing.assert_allclose(original(value), np.tanh(value * [1.0, 2.0]))


def test_function_dump_strips_trace_and_extra_tags(tmp_path):
    x = gt.dscalar("x")
    x.tag.annotations = ["something unpicklable in spirit"]
    x.tag.roles = ["input"]
    path = tmp_path / "dump.pkl"
    function_dump(str(path), [x], x + 1, extra_tag_to_remove=["annotations"])
    with open(path, "rb") as fh:
        arguments = pickle.load(fh)
    loaded = arguments["inputs"][0]
    assert not hasattr(loaded.tag, "annotations") and not hasattr(loaded.tag, "trace")
    assert loaded.tag.roles == ["input"]
    assert hasattr(x.tag, "annotations")  # the user's graph is untouched
    assert float(g.function(**arguments)(1.0)) == 2.0
