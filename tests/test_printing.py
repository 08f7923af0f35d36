"""Tests of graph2jax.printing: debugprint's exact layout, pp strings, jax_source lines."""

from __future__ import annotations

import io
from textwrap import dedent

import jax
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as pt
from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.fg import FunctionGraph
from graph2jax.printing import Print, debugprint, dprint, jax_source, pp


class TwoOut(Op):
    """A test op with two outputs of its input's type."""

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        return Apply(self, [x], [x.type(), x.type()])


class Overwrite(Op):
    """A test op declaring that it destroys input 0 and views input 1."""

    destroy_map = {0: [0]}
    view_map = {1: [1]}

    def make_node(self, x, y):
        return Apply(self, [x, y], [x.type(), y.type()])


class Inner(Op):
    """A test op declaring the inner graphs it holds."""

    def __init__(self, *fgraphs):
        self.inner_fgraphs = fgraphs

    def make_node(self, *inputs):
        return Apply(self, list(inputs), [o.type() for o in self.inner_fgraphs[0].outputs])


def text(s: str) -> str:
    return dedent(s).lstrip("\n")


@pytest.fixture
def xy():
    return pt.vector("x"), pt.vector("y")


def test_shared_subgraph_printed_once(xy):
    x, y = xy
    e = pt.exp(x)
    z = e + e * y
    z.name = "z"
    assert dprint is debugprint and g.dprint is debugprint and g.printing.pp is pp
    assert debugprint(z, file="str") == text("""
        add [id A] 'z'
         ├─ exp [id B]
         │  └─ x [id C]
         └─ mul [id D]
            ├─ exp [id B]
            │  └─ ···
            └─ y [id E]
        """)


def test_print_type_and_id_types(xy):
    x, y = xy
    v = "<TensorType(float64, shape=(None,))>"
    assert debugprint(x - y, print_type=True, id_type="int", file="str") == text(f"""
        sub [id 0] {v}
         ├─ x [id 1] {v}
         └─ y [id 2] {v}
        """)
    assert debugprint(x - y, id_type="", file="str") == "sub\n ├─ x\n └─ y\n"
    z = x - y
    assert debugprint(z, id_type="auto", file="str") == (
        f"sub [id {z.auto_name}]\n ├─ x [id {x.auto_name}]\n └─ y [id {y.auto_name}]\n"
    )
    with pytest.raises(ValueError, match="id_type"):
        debugprint(x, id_type="hex", file="str")


def test_depth_stop_on_name_and_constants(xy):
    x, y = xy
    inner = x * y
    inner.name = "p"
    out = pt.exp(inner + 1.5)
    assert debugprint(out, depth=2, file="str") == "exp [id A]\n └─ add [id B]\n"
    assert debugprint(out, stop_on_name=True, file="str") == text("""
        exp [id A]
         └─ add [id B]
            ├─ mul [id C] 'p'
            │  └─ ···
            └─ [1.5] [id D]
        """)


def test_file_targets(xy, capsys):
    x, _ = xy
    assert debugprint(pt.exp(x)) is not None
    assert capsys.readouterr().out == "exp [id A]\n └─ x [id B]\n"
    buf = io.StringIO()
    assert debugprint(pt.exp(x), file=buf) is buf
    assert buf.getvalue() == "exp [id A]\n └─ x [id B]\n"


def test_done_shares_ids_across_calls(xy):
    x, y = xy
    e = pt.exp(x)
    done: dict = {}
    debugprint(e, done=done, file="str")
    assert debugprint(e * y, done=done, file="str") == text("""
        mul [id C]
         ├─ exp [id A]
         │  └─ ···
         └─ y [id D]
        """)


def test_multi_output_node_apply_and_list(xy):
    x, _ = xy
    a, b = TwoOut()(x)
    expected = text("""
        TwoOut.0 [id A]
         └─ x [id B]
        TwoOut.1 [id A]
         └─ ···
        """)
    assert debugprint(a.owner, file="str") == expected
    assert debugprint([a, b], file="str") == expected
    assert debugprint(pt.exp(b), depth=2, file="str") == "exp [id A]\n └─ TwoOut.1 [id B]\n"


def test_destroy_and_view_maps(xy):
    x, y = xy
    a, b = Overwrite()(x, y)
    assert debugprint(a, print_destroy_map=True, print_view_map=True, file="str").startswith(
        "Overwrite.0 [id A] d={0: [0]} v={1: [1]}\n"
    )
    assert debugprint(a, file="str").startswith("Overwrite.0 [id A]\n")


def test_inner_graph(xy):
    x, y = xy
    i0, i1 = pt.vector("u"), pt.vector("v")
    op = Inner(FunctionGraph([i0, i1], [i0 * i1], clone=False))
    assert debugprint(op(x, y), file="str") == text("""
        Inner [id A]
         ├─ x [id B]
         └─ y [id C]

        Inner graphs:

        Inner [id A]
         ← mul [id D]
            ├─ *0-u [id E]
            └─ *1-v [id F]
        """)


def test_a_batched_jacobian_prints_its_backward_pass():
    x = pt.vector("x")
    jac = g.gradient.jacobian(pt.exp(x), x, vectorize=True)
    assert debugprint(jac, file="str") == text("""
        JacobianRows{1 outputs} [id A]
         ├─ exp [id B]
         │  └─ x [id C]
         └─ x [id C]

        Inner graphs:

        JacobianRows{1 outputs} [id A]
         ← mul [id D]
            ├─ *0-jacobian_seed [id E]
            └─ exp [id F]
               └─ *1-x [id G]
        """)


def test_each_of_several_inner_graphs_is_labelled(xy):
    x, _ = xy
    u, v = pt.vector("u"), pt.vector("v")
    op = Inner(FunctionGraph([u, v], [u * v]), FunctionGraph([u], [pt.exp(u)]))
    printed = debugprint(op(x, x), file="str")
    assert "Inner [id A] (inner graph 0 of 2)\n ← mul" in printed
    assert "Inner [id A] (inner graph 1 of 2)\n ← exp" in printed


def test_compiled_function_with_update():
    x = pt.scalar("x")
    w = g.shared(1.0, name="w")
    f = g.function([x], pt.exp(x * w), updates={w: w + x})
    assert debugprint(f, print_fgraph_inputs=True, file="str") == text("""
        → x [id A]
        → w [id B]
        exp [id C] 1
         └─ mul [id D] 0
            ├─ x [id A]
            └─ w [id B]
        add [id E] 2 (update of w)
         ├─ w [id B]
         └─ x [id A]
        """)
    assert debugprint(f.maker.fgraph, file="str") == debugprint(f, file="str").replace(
        " (update of w)", ""
    )
    with pytest.raises(TypeError, match="cannot print 'blah'"):
        debugprint("blah")


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda x, y, m: x + y * 2, "(x + (y * 2))"),
        (lambda x, y, m: x / y - x**2, "((x / y) - (x ** 2))"),
        (lambda x, y, m: pt.exp(x), "exp(x)"),
        (lambda x, y, m: -x, "(-x)"),
        (lambda x, y, m: ~(x > y), "(~(x > y))"),
        (lambda x, y, m: pt.sum(m, axis=0), "sum(m, axis=0)"),
        (lambda x, y, m: pt.max(m), "max(m)"),
        (lambda x, y, m: pt.dot(m, x), "(m @ x)"),
        (lambda x, y, m: m.T, "m.T"),
        (lambda x, y, m: m[0, 1:], "m[0, 1:]"),
        (lambda x, y, m: x[::2] + x[None, 1], "(x[::2] + x[None, 1])"),
        (lambda x, y, m: x[pt.lvector("i")], "x[i]"),
        (lambda x, y, m: pt.switch(x > 0, x, y), "switch((x > 0), x, y)"),
        (lambda x, y, m: pt.cast(x, "float32"), "Cast{dtype=float32}(x)"),
        (lambda x, y, m: TwoOut()(x)[1], "TwoOut.1(x)"),
    ],
)
def test_pp(build, expected):
    assert pp(build(pt.vector("x"), pt.vector("y"), pt.matrix("m"))) == expected


def test_deeper_than_the_recursion_limit(xy):
    x, _ = xy
    out = x
    for _ in range(3000):
        out = out + 1
    assert len(debugprint(out, file="str").splitlines()) == 6001
    assert pp(out).startswith("(" * 3000 + "x + 1)")


def test_pp_rejects_non_variables():
    with pytest.raises(TypeError, match="pp: expected a Variable"):
        pp(3)


def test_jax_source():
    x = pt.vector("x")
    f = g.function([x], pt.exp(x) * 2)
    lines = jax_source(f).splitlines()
    assert lines[0] == "def linked(x_0):"
    assert lines[1].startswith("    v_2 = exp_1(x_0)  # exp(x)")
    assert len(lines) == 2 + len(f.maker.fgraph.toposort())
    assert all("# " in line for line in lines[1:-1])
    assert jax_source(g.function([x], x + 1, mode="DebugMode")).startswith("def linked(x_0):")
    with pytest.raises(TypeError, match="does not compile with JAX"):
        jax_source(g.function([x], x + 1, mode="NUMPY"))
    with pytest.raises(TypeError, match="expected a compiled Function"):
        jax_source(x)


# Print: an identity op printing at run time, inside the jitted call, in graph order


@pytest.fixture(scope="module")
def printing_fn():
    x = pt.dvector("x")
    first = Print("first", attrs=("shape", "__str__"))(x)
    second = Print("second")(pt.exp(first))
    return x, second * 2


@pytest.mark.parametrize("mode", ["FAST_RUN", "NUMPY"])
def test_print_prints_each_call_in_order(printing_fn, capsys, mode):
    x, out = printing_fn
    f = g.function([x], out, mode=mode)
    for value in (np.array([1.0, 2.0]), np.array([0.0])):
        np.testing.assert_allclose(f(value), 2 * np.exp(value))
        jax.effects_barrier()
        assert capsys.readouterr().out.splitlines() == [
            f"first shape = {value.shape}",
            f"first __str__ = {value}",
            f"second __str__ = {np.exp(value)}",
        ]


def test_print_is_the_identity_for_gradients_and_takes_a_global_fn():
    seen = []
    x = pt.dvector("x")
    p = Print("m", global_fn=lambda op, v: seen.append((op.message, v.tolist())))(x)
    assert p.type == x.type and Print("m") == Print("m") and Print("m") != Print("n")
    gx = g.grad((p**2).sum(), x)
    np.testing.assert_allclose(g.function([x], gx)(np.array([1.0, 3.0])), [2.0, 6.0])
    jax.effects_barrier()
    assert ("m", [1.0, 3.0]) in seen
