"""``Function``: the callable returned by :func:`graph2jax.function`.

A call converts and checks its arguments (skipped with ``trust_input``),
reads the shared buffers, makes one jitted call, writes every update back
and returns the outputs. Everything that can fail is checked before the
jitted call is dispatched; once it is, all updates are written back even if
the call is interrupted (then the interruption is re-raised). The locks of
the shared variables a call reads are held from reading their buffers to the
end of the write-back (taken in one global order), so a call is
all-or-nothing and concurrent calls never lose an update. Updated shared
buffers are donated to XLA unless someone else holds the ``jax.Array``
(``sys.getrefcount``): then a copy is donated and the holder's array stays
valid (the borrowed-buffer rule of :class:`~graph2jax.types.sharedvar.SharedVariable`;
the rules are :mod:`graph2jax.compile.aliasing`'s).

Everything a call needs is precomputed in ``__init__``; the common call
(positional arguments, no shared variables, no profiling) runs one type check
per argument, the jitted call, and one host copy per output (``Out(borrow=False)``:
a writable numpy array the caller owns, as PyTensor's).
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.compile import aliasing
from graph2jax.compile.container import Container, _ContainerMap, _ValueMap
from graph2jax.compile.entry import PASS_THROUGH, Routing, shape_error
from graph2jax.compile.function_copies import FunctionCopies
from graph2jax.compile.maker import FunctionMaker
from graph2jax.graph.errors import ShapeMismatchError
from graph2jax.linker.checks import CheckFailed
from graph2jax.linker.compiled import Compiled
from graph2jax.types.sharedvar import SharedVariable

DUPLICATE = object()  #: a finder entry for a name shared by several inputs

#: how many times the write-back is retried when interrupted (each interruption is re-raised after)
_WRITE_BACK_ATTEMPTS = 3

#: JAX's concrete array classes, added when first seen (importing creates no device array)
_JAX_ARRAYS: set[type] = set()


def _is_jax_array(value: Any) -> bool:
    """A concrete ``jax.Array`` (not a tracer), by class identity once its class is known."""
    if value.__class__ in _JAX_ARRAYS:
        return True
    if isinstance(value, jax.Array) and not isinstance(value, jax.core.Tracer):
        _JAX_ARRAYS.add(value.__class__)
        return True
    return False


def _store_into(target: Any) -> Callable[[Any], None]:
    """How a call's new value is written into a shared variable or a stateful input's container."""
    if isinstance(target, Container):
        return lambda value: setattr(target, "_value", value)
    return lambda value: target._write(value)


def _strong(value: Any) -> Any:
    """``value``, or its strongly typed copy when it is a weakly typed jax array.

    A weakly typed array (made from a python scalar) would compile a second executable.
    """
    return value.astype(value.dtype) if getattr(value, "weak_type", False) else value


def _holds_text(value: Any) -> bool:
    return isinstance(value, str | bytes) or getattr(value, "dtype", np.dtype(int)).kind in "US"


def _describe_value(value: Any) -> str:
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return f"{type(value).__name__} of dtype {value.dtype} and shape {tuple(value.shape)}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 40 else text[:37] + '...'}"


class Function(FunctionCopies, Routing):
    """A compiled function: call it with the inputs' values; read and write defaults with ``f[name]``.

    Attributes
    ----------
    maker : FunctionMaker
        Holds the graph (``maker.fgraph``) and the linked callables; shared
        between copies that keep the same graph.
    name : str or None
    finder : dict
        Maps each input's index, variable and name to its :class:`Container`
        (or to ``DUPLICATE`` when several inputs share a name).

    Notes
    -----
    ``f(*args, **kwargs)`` evaluates the outputs on ``args`` (positional,
    then keyword by input name); ``output_subset=[...]`` (output indices, or
    keys of a dict of outputs) computes and returns only those outputs,
    updates still applied. A ``Function`` is a ``functools.partial`` over the
    entry its options call for (:mod:`graph2jax.compile.entry`): a linked
    function without shared variables is called with no python frame of the
    shell's in between.
    """

    def __init__(
        self,
        maker: FunctionMaker,
        allow_input_downcast: bool | None = None,
        name: str | None = None,
        output_keys: Sequence[str] | None = None,
        unpack_single: bool = True,
        return_none: bool = False,
        profile: Any = None,
        containers: list[Container] | None = None,
    ):
        self.maker = maker
        self.name = name
        self.output_keys = list(output_keys) if output_keys is not None else None
        self.unpack_single = unpack_single
        self.return_none = return_none
        self._trust_input = False
        self._profile = profile
        self._allow_input_downcast = allow_input_downcast
        self._containers = containers if containers is not None else self._new_containers()
        self.finder: dict[Any, Any] = {}
        self._names: dict[str, Any] = {}
        for k, (spec, container) in enumerate(zip(maker.inputs, self._containers, strict=True)):
            self.finder[k] = self.finder[spec.variable] = container
            if spec.name is not None:
                self.finder[spec.name] = DUPLICATE if spec.name in self.finder else container
                if not spec.implicit:
                    self._names[spec.name] = DUPLICATE if spec.name in self._names else k
        self._precompute()
        self._route()

    def _convert_results(self, results: Sequence[Any]) -> Any:
        """What the caller receives of a call computing every output."""
        if self._single:
            convert = self._to_caller[0]
            return results[0] if convert is None else convert(results[0])
        return self._outputs(results, None)

    def _new_containers(self) -> list[Container]:
        containers = []
        for spec in self.maker.inputs:
            allow = spec.allow_downcast
            if allow is None:
                allow = self._allow_input_downcast
            if isinstance(spec.value, Container):  # shared with another function: read per call
                containers.append(spec.value)
                continue
            container = Container(spec.variable.type, None, spec.strict, allow, spec.name)
            if spec.value is not None and not hasattr(spec.value, "get_value"):
                container.value = spec.value
            containers.append(container)
        return containers

    def _precompute(self) -> None:
        """Everything the call path needs, decided once."""
        maker = self.maker
        inputs = maker.inputs
        self._n_in = len(inputs)
        self._positional = [k for k, spec in enumerate(inputs) if not spec.implicit]
        self._all_positional = len(self._positional) == self._n_in
        # (dtype, ndim) of inputs whose arrays may skip the filter; None: always filtered
        self._checks = tuple(
            (np.dtype(typ.dtype), typ.ndim)
            if hasattr(typ, "dtype") and all(s is None for s in typ.shape)
            else None
            for typ in (spec.variable.type for spec in inputs)
        )
        self._shared = tuple(maker.shared)
        updated = [(maker.shared[k], pos) for k, pos in maker.updates.items()]
        self._updated = tuple(updated)
        # every shared variable read is locked from reading its buffer to the end of the
        # write-back, so no other call donates a buffer between our read and our dispatch;
        # locks are taken in one global order (creation order), so calls never deadlock
        # an input whose default is a shared variable (``In(x, value=W)``) updates W itself
        targets = [
            spec.value if isinstance(spec.value, SharedVariable) else self._containers[k]
            for k, spec in enumerate(inputs)
        ]
        self._input_updates = tuple((targets[k], pos) for k, pos in maker.input_updates.items())
        # the write-back: one store per updated value, decided now
        self._writes = tuple(
            (_store_into(target), pos) for target, pos in self._updated + self._input_updates
        )
        storages = {
            id(sv._storage): sv._storage
            for sv in [*maker.shared, *(t for t, _ in self._input_updates)]
            if isinstance(sv, SharedVariable)
        }
        self._locks = tuple(st.lock for st in sorted(storages.values(), key=lambda st: st.sort_key))
        self._stateful = bool(self._updated or self._input_updates)
        self._direct = not (self._stateful or self._shared)  # the arguments are the jitted call's
        # one output, returned alone (no dict, list or None), converted by _to_caller[0]
        self._single = (
            self.unpack_single
            and maker.n_outputs == 1
            and not self.return_none
            and self.output_keys is None
        )
        self._types = tuple(v.type for v in maker.fgraph.inputs)  # of the jitted call's arguments
        # how each output reaches the caller: a borrowed device array as it is (None), a
        # writable host copy (never aliasing a later donated buffer), or a non-tensor's host form
        self._to_caller = tuple(
            (None if out.borrow else np.array)
            if hasattr(out.variable.type, "dtype")
            else functools.partial(out.variable.type.to_host, borrow=out.borrow)
            for out in maker.outputs
        )
        # the compiled callable, once linked, when it takes the arguments as they are
        self._fast: Compiled | None = None

    # -- defaults -----------------------------------------------------------
    def _container(self, key: Any) -> Container:
        try:
            found = self.finder[key]
        except (KeyError, TypeError):
            raise KeyError(f"function {self.name!r} has no input {key!r}") from None
        if found is DUPLICATE:
            raise KeyError(f"several inputs of function {self.name!r} are called {key!r}")
        return found

    def __getitem__(self, key: Any) -> Any:
        container = self._container(key)
        value = container.value
        # a stateful input's device buffer is donated by the next call: hand out a copy
        return container.type.to_host(value) if isinstance(value, jax.Array) else value

    def __setitem__(self, key: Any, value: Any) -> None:
        self._container(key).value = value

    def __contains__(self, key: Any) -> bool:
        return key in self.finder

    @property
    def container(self) -> _ContainerMap:
        """The inputs' :class:`Container` objects by index, variable or name (``f.container[x]``).

        ``In(y, value=f.container[x])`` in another function shares the value:
        that function reads it at each call and writes its update into it.
        """
        return _ContainerMap(self)

    @property
    def value(self) -> _ValueMap:
        """PyTensor's ``f.value[key]``: the inputs' default values, as ``f[key]`` reads and sets them."""
        return _ValueMap(self)

    # -- the call -----------------------------------------------------------
    def _call(self, *args: Any, **kwargs: Any) -> Any:
        """The general entry: every form of call (see the class's notes)."""
        if kwargs or self.profile is not None:
            return self._call_general(args, kwargs)
        if self.trust_input and len(args) == self._n_in:  # a miscount gets the checked path's error
            values = args
        elif len(args) == self._n_in and self._all_positional:
            values = self._convert(args)
        else:
            values = self._arguments(args, {})
        fast = self._fast
        if fast is None:
            results = self._dispatch_default(values)
        else:
            try:
                results = fast.call(*values)
            except TypeError as err:
                raise shape_error(err) from err
            except CheckFailed as err:  # nothing to write back: no shared variable
                raise err.error from None
        return self._convert_results(results)

    def _dispatch_default(self, values: Sequence[Any]) -> Sequence[Any]:
        """A call computing every output: links on first use, then keeps the fast path."""
        linked = self.maker.linked(None)
        results = self._dispatch(linked, values)
        if self._direct and not linked.donate_argnums:
            self._fast = linked  # no lock, no buffer to protect: the arguments go as they are
            self._route()
        return results

    def _call_general(self, args: Sequence[Any], kwargs: dict[Any, Any]) -> Any:
        subset = self._subset(kwargs.pop("output_subset", None))
        linked = self.maker.linked(subset)
        if self.trust_input and not kwargs and len(args) == self._n_in:
            values = args
        else:
            values = self._arguments(args, kwargs)
        shift = 0 if subset is None else self.maker.n_outputs - len(subset)
        if self.profile is None:
            return self._outputs(self._dispatch(linked, values, shift), subset)
        from graph2jax.compile.profiling import recording

        start = time.perf_counter()
        counts = linked.trace_count, linked.compile_count
        with recording(self.profile) as compile_seconds:
            outputs = self._outputs(self._dispatch(linked, values, shift), subset)
            self.profile.record_call(time.perf_counter() - start - compile_seconds())
        self.profile.trace_count += linked.trace_count - counts[0]
        self.profile.compile_count += linked.compile_count - counts[1]
        return outputs

    def _convert(self, args: Sequence[Any]) -> Sequence[Any]:
        """Arguments given positionally, all of them: arrays of the exact type pass untouched.

        When every argument passes, ``args`` itself is returned (no list is built).
        """
        values = None
        checks = self._checks
        for k, arg in enumerate(args):
            check = checks[k]
            # the dtype by identity first (numpy's built-in dtypes are singletons): fast
            if (
                check is not None
                and arg.__class__ in PASS_THROUGH
                and (arg.dtype is check[0] or arg.dtype == check[0])
                and arg.ndim == check[1]
            ):
                continue
            if values is None:
                values = list(args)
            if (
                check is not None
                and _is_jax_array(arg)
                and arg.dtype == check[0]
                and arg.ndim == check[1]
            ):
                values[k] = _strong(arg)
            else:
                values[k] = self._filter(k, arg, self._containers[k])
        return args if values is None else values

    def _arguments(self, args: Sequence[Any], kwargs: dict[Any, Any]) -> list[Any]:
        inputs = self.maker.inputs
        values: list[Any] = [None] * self._n_in
        given = [False] * self._n_in
        if len(args) > len(self._positional):
            raise TypeError(
                f"function {self.name or ''} takes at most {len(self._positional)} "
                f"arguments, got {len(args)}"
            )
        for k, arg in zip(self._positional, args, strict=False):
            values[k], given[k] = arg, True
        for key, arg in kwargs.items():
            k = self._names.get(key)
            if k is None:
                raise TypeError(f"function {self.name or ''} has no input named {key!r}")
            if k is DUPLICATE:
                raise TypeError(f"several inputs are named {key!r}; pass them positionally")
            if given[k]:
                raise TypeError(f"input {key!r} was given twice (positionally and by keyword)")
            values[k], given[k] = arg, True
        for k, spec in enumerate(inputs):
            container = self._containers[k]
            if given[k]:
                values[k] = self._filter(k, values[k], container)
            elif hasattr(spec.value, "get_value"):  # a default read from a shared variable
                values[k] = spec.value.get_value(borrow=True, return_internal_type=True)
            elif spec.implicit or spec.value is not None:  # no default: required (PyTensor)
                values[k] = container.value
            else:
                raise TypeError(
                    f"missing required input {spec.variable.describe()} (argument {k}) "
                    f"of function {self.name or ''}"
                )
        return values

    def _traced_call_error(self) -> TypeError:
        return TypeError(
            f"function {self.name + ' ' if self.name else ''}was called on a traced value (inside "
            "jax.jit, grad or vmap): a Function reads and writes shared variables and returns host "
            "arrays; trace f.jax_fn, its pure JAX form, instead"
        )

    def _filter(self, k: int, value: Any, container: Container) -> Any:
        if isinstance(value, jax.core.Tracer):
            raise self._traced_call_error()
        try:
            value = container.type.filter(value, container.strict, container.allow_downcast)
        except (TypeError, ValueError, OverflowError) as err:  # ValueError: numpy could not convert
            spec = self.maker.inputs[k]
            # a ragged nested list is a shape problem (PyTensor: ValueError); text is a type one;
            # a python int out of the dtype's range stays an OverflowError (numpy 2, PyTensor)
            ragged = isinstance(err, ValueError) and not _holds_text(value)
            cls = OverflowError if isinstance(err, OverflowError) else TypeError
            raise (ShapeMismatchError if ragged else cls)(
                f"bad argument {k} to function {self.name or ''}: input {spec.variable.describe()} "
                f"expects {spec.variable.type}, received {_describe_value(value)}: {err}"
            ) from None
        return _strong(value)

    def _subset(self, output_subset: Sequence[Any] | None) -> tuple[int, ...] | None:
        if output_subset is None:
            return None
        keys = self.output_keys
        n_out = self.maker.n_outputs
        indices = []
        for item in output_subset:
            if keys is not None and isinstance(item, str):
                if item not in keys:
                    raise ValueError(f"output_subset: no output named {item!r}; outputs: {keys}")
                item = keys.index(item)
            if not isinstance(item, int | np.integer) or not 0 <= item < n_out:
                raise ValueError(
                    f"output_subset entries must be output indices (0..{n_out - 1})"
                    f"{' or output keys' if keys else ''}, got {item!r}"
                )
            indices.append(int(item))
        return tuple(indices)

    def _call_args(self, linked: Compiled, values: Sequence[Any]) -> list[Any]:
        """Explicit values, then the shared buffers; buffers the policy protects are copies."""
        args = [*values, *(sv._value for sv in self._shared)]
        if linked.donate_argnums:
            aliasing.protect_donated(args, linked.donate_argnums, self._n_in, self._types)
        return args

    def _dispatch(self, linked: Compiled, values: Sequence[Any], shift: int = 0) -> Sequence[Any]:
        """The jitted call and the write-back; ``shift``: outputs left out by an output_subset."""
        locks = self._locks
        taken = 0
        results = None
        try:
            # inside the try: an interruption between two acquire() calls releases those taken
            for lock in locks:
                lock.acquire()
                taken += 1
            # read the buffers under the locks, so a concurrent call cannot update them in between
            call_args = self._call_args(linked, values)
            try:
                results = linked.call(*call_args)
            except TypeError as err:
                raise shape_error(err) from err
            except CheckFailed as err:
                # every update at its old value: the write-back changes nothing
                results = err.results
                raise err.error from None  # numpy's error, as the user sees it
            if self.trust_input and results and isinstance(results[0], jax.core.Tracer):
                # only trust_input lets a traced value in (the checks refuse one)
                results = None  # nothing is written back: the shared variables stay as they were
                raise self._traced_call_error()
        finally:
            # once dispatched, the old buffers are donated: the write-back must complete even if
            # an exception (KeyboardInterrupt) arrives now; it is re-raised afterwards
            interrupted = None
            for _attempt in range(_WRITE_BACK_ATTEMPTS):
                try:
                    if results is not None:
                        self._write_back(results, shift)
                    break
                except BaseException as err:  # finish first, re-raise below
                    interrupted = err
            for lock in reversed(locks[:taken]):
                lock.release()
        if interrupted is not None:
            raise interrupted
        return results

    def _write_back(self, results: Sequence[Any], shift: int) -> None:
        for write, pos in self._writes:
            write(results[pos - shift])

    def _outputs(self, results: Sequence[Any], subset: tuple[int, ...] | None) -> Any:
        convert = self._to_caller
        chosen = range(len(convert)) if subset is None else subset
        outs = [
            value if convert[k] is None else convert[k](value)
            for k, value in zip(chosen, results, strict=False)
        ]
        if self.output_keys is not None:
            return {self.output_keys[k]: v for k, v in zip(chosen, outs, strict=True)}
        if self.return_none:
            return None
        if self.unpack_single and subset is None and len(outs) == 1:
            return outs[0]
        return outs

    # -- extras ----------------------------------------------------------------
    def free(self) -> None:
        """Drop the compiled executables; the next call links and compiles again.

        Copies sharing this function's maker (same graph) lose theirs too,
        except the one each keeps for its plain calls until its own ``free()``.
        """
        self._fast = None
        self._route()
        self.maker.free()

    def dprint(self, **kwargs: Any) -> Any:
        """:func:`graph2jax.printing.debugprint` of this function (PyTensor's ``Function.dprint``)."""
        from graph2jax.printing import debugprint  # the layer above, at call time

        return debugprint(self, **kwargs)

    @property
    def trace_count(self) -> int:
        """How many times this function's graph was traced by JAX (all output subsets)."""
        return sum(c.trace_count for c in self.maker._linked.values())

    @property
    def compile_count(self) -> int:
        """How many executables were compiled for this function: one per call signature.

        A signature is the inputs' shapes and dtypes, the values of the inputs
        that decide shapes, and the capacity of a loop length known only
        while running. Past ``config.recompile_warning_limit`` compilations
        of one callable, each further one warns with
        :class:`~graph2jax.compile.RecompileWarning`.
        """
        return sum(c.compile_count for c in self.maker._linked.values())

    @property
    def jax_fn(self) -> Callable[..., tuple]:
        """The pure jitted callable ``(inputs..., shared values...) -> (outputs..., new values...)``.

        The arguments are every input (implicit ones included) in order, then
        the values of ``f.maker.shared``; the results are the outputs, then the
        new values of the updated shared variables (in the order of
        ``f.maker.shared_updates``), then stateful inputs' new values. Nothing
        is donated and no shared variable is written: compose it with
        ``jax.vmap``, ``jax.grad`` or ``jax.jit`` freely.
        """
        return self.maker.jax_fn()

    def lower(self, *args: Any, **kwargs: Any) -> Any:
        """The JAX lowering of a call on ``args`` (``.as_text()``, ``.compile().cost_analysis()``)."""
        subset = self._subset(kwargs.pop("output_subset", None))
        linked = self.maker.linked(subset)
        return linked.lower(*self._call_args(linked, self._arguments(args, kwargs)))

    def __repr__(self) -> str:
        return f"<graph2jax.Function {self.name or ''} of {self._n_in} inputs>"

    __hash__ = object.__hash__


Function.__new__.__signature__ = inspect.signature(Function.__init__)  # what the docs show
