"""The reference helpers every op test uses.

:func:`check_op` checks a table of named cases::

    check_op(
        {
            "cumsum_0": (lambda x: gt.cumsum(x, 0), lambda v: np.cumsum(v, 0)),
            "sort_flat": Case(lambda x: gt.sort(x, None), lambda v: np.sort(v, None)),
        },
        [x],
        [value],
        grads=True,
    )

Every case of the table is computed by one compiled function (and once more by
the ``'NUMPY'`` reference mode), so a table costs one compilation however many
rows it has. A failure names the case, and says which node DebugMode blames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile.debugmode import BadThunkOutput
from graph2jax.gradient import verify_grad


@dataclass(frozen=True)
class Case:
    """One row of a :func:`check_op` table.

    Attributes
    ----------
    build : callable
        ``build(*inputs) -> variable``: the graph under test.
    expected : callable, array-like or None
        ``expected(*values)``, an independent formula (numpy, scipy, ``jax.grad``),
        or the expected value itself. Its dtype is checked when it is a numpy array
        or scalar (plain python numbers and lists are checked by value only). None:
        no independent value (only the compiled mode against the ``'NUMPY'`` reference).
    dtype : str, optional
        The expected dtype, when the formula's differs (numpy widens ``cumsum`` of
        small integers, PyTensor does not).
    args : tuple of int, optional
        Positions of the inputs (and values) the case takes; all of them when None.
    grad : bool
        With ``grads=True``, check this case's gradient with ``verify_grad``
        (only cases whose inputs are all float32/float64 are differentiable).
    rtol, atol : float, optional
        Tolerances of this case (default by dtype).
    """

    build: Callable[..., Any]
    expected: Any = None
    dtype: str | None = None
    args: tuple[int, ...] | None = None
    grad: bool = True
    rtol: float | None = None
    atol: float | None = None


Row = Case | tuple


def check_op(
    cases: Mapping[str, Row],
    inputs: Sequence[Any],
    values: Sequence[Any],
    *,
    grads: bool = False,
    mode: str = "FAST_RUN",
    reference: str | None = "NUMPY",
    exact_static_shapes: bool = False,
    rtol: float | None = None,
    atol: float | None = None,
) -> dict[str, np.ndarray]:
    """Check every named case of a table against its expected value; return the results by name.

    All cases are compiled into one function of ``inputs`` in ``mode`` (and in
    ``reference``, each node's numpy ``perform``, unless None) and called once on
    ``values``. For each case: the result is a numpy array of the graph's dtype;
    its shape fits the output's static shape (equals it, with
    ``exact_static_shapes``); the reference mode agrees in dtype, shape and
    values; and the dtype, shape and values are those of the case's expected
    value. Failures are collected and reported together by case name; each is
    re-run alone under ``'DebugMode'``, whose :class:`BadThunkOutput` names the
    node whose JAX result differs from its numpy ``perform``.

    With ``grads=True``, ``verify_grad`` (finite differences) also checks each
    case whose ``grad`` is set and whose inputs are all float.

    ``cases`` maps a name to a :class:`Case`, or to a tuple of its fields in order
    (``(build, expected)`` mostly).
    """
    rows = _rows(cases)
    inputs, values = list(inputs), list(values)
    outs = {name: row.build(*_take(row, inputs)) for name, row in rows.items()}
    results = _run(inputs, outs, values, mode)
    refs = _run(inputs, outs, values, reference) if reference else {}
    failures = []
    for name, row in rows.items():
        try:
            _check_case(
                row,
                outs[name],
                results[name],
                refs.get(name),
                values,
                exact_static_shapes,
                row.rtol or rtol,
                row.atol or atol,
            )
        except AssertionError as err:
            failures.append(f"case {name!r}: {err}\n  {_debug_mode(row, inputs, values)}")
    if failures:
        raise AssertionError(
            f"{len(failures)} of {len(rows)} cases failed:\n" + "\n".join(failures)
        )
    if grads:
        for name, row in rows.items():
            point = [np.asarray(v) for v in _take(row, values)]
            if row.grad and point and all(str(p.dtype) in ("float32", "float64") for p in point):
                try:
                    verify_grad(row.build, point, n_tests=1, rng=np.random.default_rng(0))
                except Exception as err:
                    raise AssertionError(f"case {name!r}: verify_grad: {err}") from err
    return results


def jax_grad_cases(
    cases: Mapping[str, Row], values: Sequence[Any], rng: np.random.Generator
) -> dict[str, Case]:
    """Gradient cases for :func:`check_op`: each row's ``expected`` is a JAX function.

    For a row ``(build, jax_fn)`` and a random projection ``w`` of its output, the
    case ``name`` (``name[d0]``, ``name[d1]``, ... when the row takes several
    inputs) is the graph ``grad(sum(build(*xs) * w), xs[k])``, expected to equal
    ``jax.grad`` of ``sum(jax_fn(*vs) * w)`` at ``values``. Every reference
    gradient is computed by one jitted function.
    """
    rows = _rows(cases)
    values = list(values)
    weights = {
        name: rng.normal(size=jax.eval_shape(row.expected, *_take(row, values)).shape)
        for name, row in rows.items()
    }

    @jax.jit  # one compilation for every reference gradient
    def reference(values: list) -> dict:
        return {
            name: jax.grad(
                lambda *vs, f=row.expected, w=weights[name]: jnp.sum(f(*vs) * w),
                argnums=tuple(range(len(_take(row, values)))),
            )(*_take(row, values))
            for name, row in rows.items()
        }

    wanted = reference(values)
    grads = {}
    for name, row in rows.items():
        n = len(_take(row, values))
        for k, want in enumerate(wanted[name]):
            grads[name if n == 1 else f"{name}[d{k}]"] = Case(
                lambda *xs, r=row, w=weights[name], k=k: g.grad(gt.sum(r.build(*xs) * w), xs[k]),
                np.asarray(want),
                args=row.args,
                rtol=row.rtol,
                atol=row.atol,
            )
    return grads


def _rows(cases: Mapping[str, Row]) -> dict[str, Case]:
    return {name: row if isinstance(row, Case) else Case(*row) for name, row in cases.items()}


def _take(row: Case, items: list) -> list:
    return items if row.args is None else [items[k] for k in row.args]


def _run(inputs: list, outs: dict[str, Any], values: list, mode: str) -> dict[str, Any]:
    """Compile every case into one function and call it; a failing call is blamed on its cases."""
    f = g.function(inputs, list(outs.values()), mode=mode, on_unused_input="ignore")
    try:
        return dict(zip(outs, f(*values), strict=True))
    except Exception as err:
        blamed = []
        for name, out in outs.items():
            try:
                g.function(inputs, out, mode=mode, on_unused_input="ignore")(*values)
            except Exception as alone:
                blamed.append(f"case {name!r}: {type(alone).__name__}: {alone}")
        raise AssertionError(f"{mode}: " + ("\n".join(blamed) or repr(err))) from err


def _check_case(
    row: Case,
    out: Any,
    got: Any,
    ref: Any,
    values: list,
    exact: bool,
    rtol: float | None,
    atol: float | None,
) -> None:
    assert isinstance(got, np.ndarray), f"result is {type(got).__name__}, not a numpy array"
    assert got.dtype == np.dtype(out.dtype), f"dtype {got.dtype}, but the graph says {out.dtype}"
    static = tuple(out.type.shape)
    if exact:
        assert static == got.shape, f"static shape {static}, computed shape {got.shape}"
    fits = len(static) == got.ndim and all(
        s in (None, n) for s, n in zip(static, got.shape, strict=True)
    )
    assert fits, f"computed shape {got.shape} does not fit the static shape {static}"
    if ref is not None:
        assert ref.dtype == got.dtype, f"NUMPY reference dtype {ref.dtype} != {got.dtype}"
        assert ref.shape == got.shape, f"NUMPY reference shape {ref.shape} != {got.shape}"
        _assert_close(got, ref, rtol, atol, "NUMPY reference")
    if row.expected is None:
        return
    raw = row.expected(*_take(row, values)) if callable(row.expected) else row.expected
    want = np.asarray(raw)
    dtype = row.dtype or (want.dtype if isinstance(raw, np.ndarray | np.generic) else None)
    if dtype is not None:
        assert got.dtype == np.dtype(dtype), f"dtype {got.dtype}, expected {np.dtype(dtype)}"
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    _assert_close(got, want, rtol, atol, "expected")


def _assert_close(
    a: np.ndarray, b: np.ndarray, rtol: float | None, atol: float | None, what: str
) -> None:
    if a.dtype.kind in "fc":
        low = a.dtype in (np.float32, np.complex64)
        rtol, atol = rtol or (1e-4 if low else 1e-7), atol or (1e-5 if low else 1e-10)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"against the {what}")
    else:
        np.testing.assert_array_equal(a, b, err_msg=f"against the {what}")


def _debug_mode(row: Case, inputs: list, values: list) -> str:
    """What DebugMode says about the case alone: the node whose JAX and numpy results differ."""
    args = _take(row, inputs)
    try:
        f = g.function(args, row.build(*args), mode="DebugMode", on_unused_input="ignore")
        f(*_take(row, values))
    except BadThunkOutput as err:
        return str(err)
    except Exception as err:
        return f"DebugMode: {type(err).__name__}: {err}"
    return "DebugMode: every node's JAX result agrees with its numpy perform"


def compare_jax_and_numpy(
    inputs: Sequence[Any],
    outputs: Any,
    values: Sequence[Any],
    expected: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> list[np.ndarray]:
    """:func:`check_op` on already built ``outputs``, named ``output 0``, ``output 1``, ...

    ``expected`` (one value per output, or None) is compared by value only: the
    dtype checked is the graph's. Returns the JAX results in order.
    """
    single = not isinstance(outputs, list | tuple)
    outs = [outputs] if single else list(outputs)
    wanted = [None] * len(outs) if expected is None else [expected] if single else list(expected)
    cases = {
        f"output {k}": Case(lambda *_, o=o: o, want, dtype=o.dtype)
        for k, (o, want) in enumerate(zip(outs, wanted, strict=True))
    }
    return list(check_op(cases, inputs, values, rtol=rtol, atol=atol).values())


def check_infer_shape(inputs: Sequence[Any], outputs: Sequence[Any], values: Sequence[Any]) -> None:
    """Each output's ``op.infer_shape`` (fed the symbolic shapes of its node's inputs)
    evaluates, in one compiled function, to the shape the output actually has."""
    shapes = []
    for out in outputs:
        node = out.owner
        in_shapes = [[gt.shape_i(i, k) for k in range(i.ndim)] for i in node.inputs]
        entries = node.op.infer_shape(None, node, in_shapes)[out.index]
        shapes.append(gt.stack([gt.cast(e, "int64") for e in entries]) if entries else None)
    f = g.function(list(inputs), list(outputs) + [s for s in shapes if s is not None])
    results = f(*values)
    got, inferred = results[: len(outputs)], iter(results[len(outputs) :])
    for out, value, shape in zip(outputs, got, shapes, strict=True):
        want = () if shape is None else tuple(next(inferred))
        assert value.shape == want, f"{out.owner.op}: infer_shape says {want}, got {value.shape}"


def random_value(
    rng: np.random.Generator, dtype: str, shape: tuple, low: int = -5, high: int = 5
) -> np.ndarray:
    """A random array of ``dtype`` and ``shape``: coin flips for bool, integers in
    ``[low, high)`` for integer dtypes, standard normal values for the others."""
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith(("int", "uint")):
        return rng.integers(low, high, size=shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)
