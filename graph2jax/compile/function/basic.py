"""``function`` and ``function_dump``: compiling graphs into callables, as PyTensor's ``pytensor.function``.

Re-exported by :mod:`graph2jax.compile.function` (PyTensor's path), which also
holds ``pfunc``, its old name.
"""

from __future__ import annotations

import copy
import inspect
import os
import pickle
import sys
import time
from typing import Any

from graph2jax.compile.function_shell import Function
from graph2jax.compile.io import In, Out
from graph2jax.compile.maker import FunctionMaker
from graph2jax.compile.mode import get_mode
from graph2jax.compile.profiling import as_profile
from graph2jax.compile.rebuild import as_pairs, rebuild
from graph2jax.graph.basic import Constant, Tag, Variable
from graph2jax.graph.errors import UnusedInputError
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.sharedvar import SharedVariable

__all__ = ["function", "function_dump"]


def function(
    inputs: Any,
    outputs: Any = None,
    mode: Any = None,
    updates: Any = None,
    givens: Any = None,
    no_default_updates: Any = False,
    accept_inplace: bool = False,
    name: str | None = None,
    rebuild_strict: bool = True,
    allow_input_downcast: bool | None = None,
    profile: Any = None,
    on_unused_input: str | None = "raise",
    trust_input: bool = False,
    device: Any = None,
) -> Function:
    """Compile a graph into a callable :class:`Function` that computes ``outputs`` from ``inputs``.

    Parameters
    ----------
    inputs : list of Variable or In
        The call's parameters (not shared variables: those are implicit).
        PyTensor's old tuple forms are accepted: ``(var, value)`` is
        ``In(var, value=value)`` and ``((var, update), value)`` is
        ``In(var, value=value, update=update)``.
    outputs : Variable, Out, list of them, dict of them, or None
        What a call returns: one value, a list, or a dict with the same keys.
    mode : str or Mode, optional
        ``'FAST_RUN'`` (default, from ``config.mode``), ``'FAST_COMPILE'``,
        ``'JAX'``, ``'NUMPY'`` or ``'DebugMode'``.
    updates : dict or list of (SharedVariable, expression) pairs
        New values of shared variables, written after each call.
    givens : dict or list of (Variable, Variable) pairs
        Substitutions made in the graph (the second replaces the first).
    no_default_updates : bool or list of Variable
        True disables every ``default_update``; a list disables those of its variables.
    accept_inplace : bool
        Allow graphs that hold destructive (inplace) ops.
    name : str, optional
        Default: ``"file:line"`` of the call to ``function`` (as PyTensor).
    rebuild_strict : bool
        False lets ``givens`` change a variable's type (the graph is rebuilt).
    allow_input_downcast : bool, optional
        True: arguments are silently downcast to the inputs' dtypes. False:
        only lossless casts. None: as False, but python floats may become floatX.
    profile : bool or ProfileStats, optional
        Collect compile and call timings in ``f.profile``.
    on_unused_input : {'raise', 'warn', 'ignore'}
        What to do with an input no output or update depends on.
    trust_input : bool
        Start with :attr:`Function.trust_input` set (PyTensor 3's argument):
        calls skip every argument check and conversion.
    device : str or jax.Device, optional
        Where the function runs and its shared variables live (``'cpu'``,
        ``'gpu'``, ``'gpu:1'``, ``'tpu'``); default ``config.device``, or,
        when that is None too, the devices of the shardings given to its
        shared variables, ``In`` and ``Out`` (see :doc:`/sharding`), else
        JAX's default device. Shared variables without a sharding of their
        own are moved there now, once.

    Returns
    -------
    Function

    Raises
    ------
    RuntimeError
        ``givens`` replacing one of the inputs (it would have no effect).
    TypeError
        Inputs not in a list, a shared variable or constant as input, update
        targets that are not shared variables, updates or givens of the wrong
        type, ``no_default_updates`` neither a bool nor a list.
    ValueError
        Two updates for one shared variable; a device that does not exist (the
        message names those that do); a sharding on a device the function does
        not run on, or not dividing an input's or output's static shape.
    UnusedInputError
        An unused input with ``on_unused_input='raise'``, or one input given twice.
    MissingInputError
        An output or update depends on a variable that is not an input.
    NotImplementedError
        A linker object the compiled function cannot honour (``VMLinker(callback=...)``).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dscalar("x")
    >>> f = g.function([x], 2 * x)
    >>> f(4)
    array(8.)
    >>> acc = g.shared(0.0, name="acc")
    >>> inc = g.function([x], acc, updates=[(acc, acc + x)])
    >>> _ = inc(1.5); _ = inc(1.5)
    >>> float(acc.get_value())
    3.0
    """
    start = time.perf_counter()
    if not isinstance(inputs, list | tuple):
        raise TypeError(
            "Input variables of a graph2jax function should be contained in a list, even "
            f"when there is a single input; got {type(inputs).__name__}: {inputs!r}"
        )
    if not isinstance(no_default_updates, bool | list | tuple):
        raise TypeError(
            "The `no_default_updates` argument must be a boolean or list; got "
            f"{type(no_default_updates).__name__}: {no_default_updates!r}"
        )
    in_specs = [_as_in(i) for i in inputs]
    first_index: dict[int, int] = {}
    for k, spec in enumerate(in_specs):
        j = first_index.setdefault(id(spec.variable), k)
        if j != k:
            raise UnusedInputError(
                f"Variable {spec.variable} is used twice in inputs to graph2jax.function, at "
                f"indices {j} and {k}. This would result in values provided for it being "
                "ignored. Please do not duplicate variables in the inputs list."
            )
    mode_obj = get_mode(mode)
    why_not = mode_obj.unsupported()
    if why_not is not None:
        raise NotImplementedError(f"function(): mode {mode_obj!r} cannot be used: {why_not}")
    out_specs, output_keys, unpack_single, return_none = _as_outs(outputs)
    given_pairs = as_pairs(givens, "givens")
    for old, _ in given_pairs:
        if id(old) in first_index:
            raise RuntimeError(
                f"You are trying to replace variable '{old}' through the `givens` parameter, "
                "but this variable is an input to your function. Replacing inputs is "
                "forbidden because it has no effect: define a new input y and use "
                "givens={x: g(y)}, or clone_replace the outputs"
            )
    update_pairs, shared = rebuild(
        in_specs,
        out_specs,
        as_pairs(updates, "updates"),
        given_pairs,
        list(no_default_updates) if isinstance(no_default_updates, tuple) else no_default_updates,
        rebuild_strict,
    )
    if name is None:
        name = _caller_name()

    stats = as_profile(profile, name)
    if stats is not None:
        stats.rebuild_time += time.perf_counter() - start
    maker = FunctionMaker(
        in_specs,
        out_specs,
        shared,
        update_pairs,
        mode_obj,
        accept_inplace=accept_inplace,
        on_unused_input=on_unused_input,
        profile=stats,
        device=device,
    )
    compiled = Function(
        maker,
        allow_input_downcast=allow_input_downcast,
        name=name,
        output_keys=output_keys,
        unpack_single=unpack_single,
        return_none=return_none,
        profile=stats,
    )
    compiled.trust_input = bool(trust_input)
    return compiled


def _caller_name() -> str:
    """``file:line`` of the first caller outside graph2jax (PyTensor's default function name)."""
    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _as_in(spec: Any) -> In:
    if isinstance(spec, list | tuple):
        spec = _legacy_in(spec)
    if isinstance(spec, In):
        spec = copy.copy(spec)  # function() rewrites its update; the user's In stays as given
        var = spec.variable
    elif isinstance(spec, Variable):
        var, spec = spec, In(spec)
    else:
        raise TypeError(f"function() inputs must be variables or In instances, got {spec!r}")
    if isinstance(var, SharedVariable):
        raise TypeError(
            f"Cannot use a shared variable ({var}) as explicit input. Consider substituting "
            "a non-shared variable via the `givens` parameter (a function reads shared "
            "variables implicitly)"
        )
    if isinstance(var, Constant):
        raise TypeError(f"Constants not allowed in param list: {var} cannot be an input")
    return spec


def _legacy_in(spec: list | tuple) -> In:
    """PyTensor's old tuple inputs: ``(var, value)`` and ``((var, update), value)``."""
    if len(spec) == 2:
        head, value = spec
        if isinstance(head, Variable):
            return In(head, value=value)
        if isinstance(head, list | tuple) and len(head) == 2 and isinstance(head[0], Variable):
            return In(head[0], value=value, update=head[1])
    raise TypeError(
        "a tuple input of function() must be (variable, value) or "
        f"((variable, update), value), got {spec!r}"
    )


def _as_outs(outputs: Any) -> tuple[list[Out], list[str] | None, bool, bool]:
    """Outputs as Out specs, plus (output_keys, unpack_single, return_none)."""
    if outputs is None:
        return [], None, False, True
    if isinstance(outputs, dict):
        bad = [k for k in outputs if not isinstance(k, str)]
        if bad:
            raise TypeError(f"the keys of a dict of outputs must be strings, got {bad!r}")
        keys = sorted(outputs)
        return [_as_out(outputs[k]) for k in keys], keys, False, False
    if isinstance(outputs, list | tuple):
        return [_as_out(o) for o in outputs], None, False, False
    return [_as_out(outputs)], None, True, False


def _as_out(spec: Any) -> Out:
    if isinstance(spec, Out):
        return Out(spec.variable, spec.borrow, spec.sharding)
    if isinstance(spec, Variable):
        return Out(spec)
    return Out(as_tensor_variable(spec))


def function_dump(
    filename: str,
    inputs: Any,
    outputs: Any = None,
    *,
    extra_tag_to_remove: Any = None,
    **kwargs: Any,
) -> None:
    """Pickle everything :func:`function` needs, so ``function(**pickle.load(f))`` rebuilds it.

    A reproducible case for a compilation problem: replace ``function(...)`` by
    ``function_dump("case.pkl", ...)``. The keyword arguments are
    :func:`function`'s (checked against its signature). Shared variables are
    saved with their values (``set_value`` them to zeros first to leave the
    values out). Variables' ``tag.trace`` (the line that created them) is
    stripped, and so are the tag entries named in ``extra_tag_to_remove``.

    Raises
    ------
    TypeError
        A keyword argument :func:`function` does not take.

    Examples
    --------
    >>> import os, pickle, tempfile, graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dscalar("x")
    >>> path = os.path.join(tempfile.mkdtemp(), "f.pkl")
    >>> g.function_dump(path, [x], 3 * x)
    >>> with open(path, "rb") as fh:
    ...     f = g.function(**pickle.load(fh))
    >>> float(f(2.0))
    6.0
    """
    bound = inspect.signature(function).bind(inputs, outputs, **kwargs)
    bound.apply_defaults()
    with open(filename, "wb") as fh:
        _StripPickler(fh, ("trace", *(extra_tag_to_remove or ()))).dump(dict(bound.arguments))


class _StripPickler(pickle.Pickler):
    """Pickles graphs with the named entries removed from every variable's ``tag``."""

    def __init__(self, file: Any, tags_to_remove: tuple[str, ...]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.tags_to_remove = tags_to_remove

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Tag:
            kept = {k: v for k, v in vars(obj).items() if k not in self.tags_to_remove}
            return Tag, (), kept
        return NotImplemented
