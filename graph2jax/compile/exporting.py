"""Shipping a compiled function: ``export`` to a ``jax.export.Exported`` with its state.

:func:`export` turns a :class:`~graph2jax.compile.function_shell.Function`
into an :class:`ExportedFunction`: one ``jax.export.Exported`` of the pure
call ``(inputs, state) -> (outputs, new_state)`` and the current values of
the function's shared variables (its *state*, random generators included, as
plain arrays). :meth:`ExportedFunction.save` writes three files that JAX alone
can read:

``exported.bin``
    ``Exported.serialize()``; ``jax.export.deserialize`` reads it back.
``state.npz``
    The state, ``arr_0``, ``arr_1``, ... in the order of ``state_names``
    (a random generator is its key's two ``uint32`` words).
``meta.json``
    Input and state names, which outputs to unpack, the values of inputs
    that decide shapes (fixed at export), for :func:`load_exported`.

The leading dimension of every input whose type leaves it unknown is a
symbolic dimension (``jax.export.symbolic_shape``; inputs whose example sizes
are equal share one), so one export serves any batch size; a graph that
cannot be traced that way (its shapes decide values, say) is exported with
the example's concrete shapes instead (``symbolic`` tells which).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

from graph2jax.compile.function_shell import Function
from graph2jax.linker.compiled import StaticValue

_EXPORTED, _STATE, _META = "exported.bin", "state.npz", "meta.json"


class ExportedFunction:
    """A compiled function as a ``jax.export.Exported`` plus the state it carries.

    Call it like the original function (``m(*inputs)``): it returns the same
    outputs, as numpy arrays, and keeps the new state, so successive calls
    advance it as the original's shared variables would be. ``m.call`` is
    the pure form.

    Attributes
    ----------
    exported : jax.export.Exported
        The call ``(inputs, state) -> (outputs, new_state)``; ``inputs``
        leaves out the inputs fixed at export (``static``).
    state_names : tuple of str
        The shared variables' names (``"shared_<k>"`` for an unnamed one).
    input_names : tuple of str
    static : dict
        ``{input index: value}`` of the inputs that decide shapes, fixed at export.
    symbolic : bool
        Whether the leading dimensions unknown to the graph's types are symbolic.
    """

    def __init__(
        self,
        exported: jax.export.Exported,
        state: Sequence[Any],
        meta: dict[str, Any],
    ):
        self.exported = exported
        self._state = tuple(np.asarray(s) for s in state)
        self._meta = meta
        self.state_names = tuple(meta["state_names"])
        self.input_names = tuple(meta["input_names"])
        self.static = {int(k): np.asarray(v) for k, v in meta["static"].items()}
        self.symbolic = bool(meta["symbolic"])
        self._dynamic = [k for k in range(len(self.input_names)) if k not in self.static]

    @property
    def state(self) -> tuple[np.ndarray, ...]:
        """The current state, one numpy array per shared variable (see ``state_names``)."""
        return tuple(np.array(s) for s in self._state)

    def _arguments(self, inputs: Sequence[Any]) -> tuple[Any, ...]:
        if len(inputs) != len(self.input_names):
            raise TypeError(
                f"the exported function takes {len(self.input_names)} inputs "
                f"({', '.join(self.input_names)}), received {len(inputs)}"
            )
        for k, fixed in self.static.items():
            if not np.array_equal(np.asarray(inputs[k]), fixed):
                raise ValueError(
                    f"input {self.input_names[k]} decides shapes and was fixed to {fixed.tolist()} "
                    f"at export, received {np.asarray(inputs[k]).tolist()}: export again with it"
                )
        args = []
        for pos, k in enumerate(self._dynamic):
            expected = self.exported.in_avals[pos].dtype
            value = inputs[k]
            if isinstance(value, jax.Array | np.ndarray | np.generic):
                if value.dtype != expected:
                    raise TypeError(
                        f"input {self.input_names[k]} expects dtype {expected}, received an array "
                        f"of dtype {value.dtype}"
                    )
            else:  # python numbers and lists take the input's dtype, as in the original
                value = np.asarray(value, dtype=expected)
            args.append(value)
        return tuple(args)

    def call(
        self, inputs: Sequence[Any], state: Sequence[Any]
    ) -> tuple[tuple[jax.Array, ...], tuple[jax.Array, ...]]:
        """The pure call: ``(outputs, new_state)`` for ``inputs`` (all of them) and ``state``.

        Nothing is kept: ``m.state`` is unchanged. Results are JAX arrays.
        """
        outputs, new_state = self.exported.call(self._arguments(inputs), tuple(state))
        return tuple(outputs), tuple(new_state)

    def __call__(self, *inputs: Any) -> Any:
        """The outputs for ``inputs``, as the original function returns them; the state advances."""
        outputs, self._state = self.call(inputs, self._state)
        outs = [np.array(o) for o in outputs]
        keys = self._meta["output_keys"]
        if keys is not None:
            return dict(zip(keys, outs, strict=True))
        if self._meta["return_none"]:
            return None
        if self._meta["unpack_single"] and len(outs) == 1:
            return outs[0]
        return outs

    def save(self, directory: str | Path) -> Path:
        """Write ``exported.bin``, ``state.npz`` and ``meta.json`` into ``directory`` (created)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        (path / _EXPORTED).write_bytes(bytes(self.exported.serialize()))
        np.savez(path / _STATE, *self.state)
        (path / _META).write_text(json.dumps(self._meta, indent=1))
        return path

    def __repr__(self) -> str:
        shapes = ", ".join(str(a) for a in self.exported.in_avals[: len(self._dynamic)])
        return f"<graph2jax.ExportedFunction ({shapes}) with {len(self._state)} state arrays>"


def _symbolic_specs(values: Sequence[Any], types: Sequence[Any]) -> list[jax.ShapeDtypeStruct]:
    """Abstract inputs whose unknown leading dimensions are symbols (equal sizes, one symbol)."""
    sizes = sorted(
        {v.shape[0] for v, t in zip(values, types, strict=True) if v.ndim and t.shape[0] is None}
    )
    symbols = jax.export.symbolic_shape(", ".join(f"b{n}" for n in sizes)) if sizes else ()
    by_size = dict(zip(sizes, symbols, strict=True))
    return [
        jax.ShapeDtypeStruct(
            (by_size[v.shape[0]], *v.shape[1:]) if v.ndim and t.shape[0] is None else v.shape,
            v.dtype,
        )
        for v, t in zip(values, types, strict=True)
    ]


def _pure_call(f: Function, static: dict[int, Any]) -> Callable[[Callable], Callable]:
    """Adapts the graph's python function to ``(inputs, state) -> (outputs, new_state)``."""
    maker = f.maker
    n_in, n_out = len(maker.inputs), maker.n_outputs
    state_types = [sv.type for sv in maker.shared]
    output_types = [o.variable.type for o in maker.outputs]
    updates = dict(maker.updates)

    def wrap(py_fn: Callable[..., tuple]) -> Callable:
        def run(inputs: tuple, state: tuple) -> tuple[tuple, tuple]:
            dynamic = iter(inputs)
            args = [StaticValue(static[k]) if k in static else next(dynamic) for k in range(n_in)]
            args += [t.from_array(s) for t, s in zip(state_types, state, strict=True)]
            results = py_fn(*args)
            outputs = tuple(
                t.to_array(r) for t, r in zip(output_types, results[:n_out], strict=True)
            )
            new_state = tuple(
                t.to_array(results[updates[k]]) if k in updates else s
                for k, (t, s) in enumerate(zip(state_types, state, strict=True))
            )
            return outputs, new_state

        return run

    return wrap


def export(
    f: Function,
    *example_inputs: Any,
    symbolic: bool = True,
    platforms: Sequence[str] | None = None,
) -> ExportedFunction:
    """Export ``f``'s compiled call and its shared state, to run with JAX alone.

    Parameters
    ----------
    f : Function
        A function compiled by the JAX linker (the default mode), whose
        inputs are all explicit (no ``In(..., implicit=True)`` or input
        updates); its state is its shared variables.
    *example_inputs
        One value per input, checked as a call's arguments. Their dtypes and
        trailing dimensions are fixed; inputs that decide shapes (a reshape's
        target) are fixed to their values.
    symbolic : bool
        Make the leading dimension unknown to an input's type symbolic; when
        the graph cannot be exported that way, or with ``False``, the
        example's shapes are used.
    platforms : sequence of str, optional
        Where the export may run (``("cpu", "cuda")``: exported on a GPU
        machine, it also runs on a CPU one); the default backend when None.

    Returns
    -------
    ExportedFunction

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> w = g.shared(np.ones(3), name="w")
    >>> f = g.function([x], x @ w, updates={w: w * 2})
    >>> m = g.export(f, np.ones((4, 3)))
    >>> m.symbolic, m.state_names
    (True, ('w',))
    >>> m(np.ones((2, 3))), m(np.ones((2, 3)))
    (array([3., 3.]), array([6., 6.]))
    >>> m.state[0]
    array([4., 4., 4.])
    >>> w.get_value()  # the original keeps its own state
    array([1., 1., 1.])
    """
    if not isinstance(f, Function):
        raise TypeError(f"export expects a graph2jax Function, received {type(f).__name__}")
    maker = f.maker
    implicit = [str(spec.variable) for spec in maker.inputs if spec.implicit]
    if implicit or maker.input_updates:
        raise TypeError(
            f"export needs a function whose inputs are all explicit and not updated (its state "
            f"is its shared variables); {f.name or 'this function'} has implicit or updated "
            f"inputs {implicit or list(maker.input_updates)}: make them shared variables"
        )
    values = f._arguments(example_inputs, {})
    linked = maker.linked(None)
    static = {k: np.asarray(values[k]) for k in linked.static_argnums if k < len(values)}
    dynamic = [k for k in range(len(values)) if k not in static]
    arrays = [np.asarray(values[k]) for k in dynamic]
    types = [maker.inputs[k].variable.type for k in dynamic]
    state = [np.asarray(sv.type.to_array(sv._value)) for sv in maker.shared]
    state_specs = tuple(jax.ShapeDtypeStruct(s.shape, s.dtype) for s in state)
    wrap = _pure_call(f, static)
    concrete = tuple(jax.ShapeDtypeStruct(a.shape, a.dtype) for a in arrays)
    specs = tuple(_symbolic_specs(arrays, types)) if symbolic else concrete
    try:
        exported = linked.export(wrap, specs, state_specs, platforms=platforms)
    except Exception:  # a graph whose tracing needs concrete sizes: the example's shapes
        if specs == concrete:
            raise
        specs = concrete
        exported = linked.export(wrap, specs, state_specs, platforms=platforms)
    meta = {
        "input_names": [
            spec.name or str(spec.variable.name or f"input_{k}")
            for k, spec in enumerate(maker.inputs)
        ],
        "state_names": [sv.name or f"shared_{k}" for k, sv in enumerate(maker.shared)],
        "static": {str(k): v.tolist() for k, v in static.items()},
        "symbolic": specs != concrete,
        "output_keys": f.output_keys,
        "return_none": f.return_none,
        "unpack_single": f.unpack_single,
    }
    return ExportedFunction(exported, state, meta)


def load_exported(directory: str | Path) -> ExportedFunction:
    """The :class:`ExportedFunction` that :meth:`ExportedFunction.save` wrote into ``directory``.

    Examples
    --------
    >>> import tempfile, numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> f = g.function([x], 2 * x)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     m = g.load_exported(g.export(f, np.ones(3)).save(d))
    >>> m([1.0, 2.0])
    array([2., 4.])
    """
    path = Path(directory)
    exported = jax.export.deserialize(bytearray((path / _EXPORTED).read_bytes()))
    meta = json.loads((path / _META).read_text())
    with np.load(path / _STATE) as arrays:
        state = [arrays[f"arr_{k}"] for k in range(len(meta["state_names"]))]
    return ExportedFunction(exported, state, meta)
