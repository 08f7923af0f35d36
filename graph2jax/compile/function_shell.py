"""``Function``: the callable returned by :func:`graph2jax.function`.

A call converts and checks its arguments (skipped with ``trust_input``),
reads the shared buffers, makes one jitted call, writes every update back
and returns the outputs. Everything that can fail is checked before the
jitted call is dispatched; once it is, all updates are written back even if
the call is interrupted, under the locks of the updated shared variables
(taken in a fixed order), so a call is atomic and concurrent calls never
lose an update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.compile.maker import FunctionMaker
from graph2jax.linker.jax_linker import StaticValue

DUPLICATE = object()  #: a finder entry for a name shared by several inputs


class Container:
    """The storage of one input's default value (``f[name]`` reads and writes it)."""

    def __init__(
        self, type: Any, value: Any, strict: bool, allow_downcast: bool | None, name: str | None
    ):
        self.type, self.strict, self.allow_downcast, self.name = type, strict, allow_downcast, name
        self.value = value

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, v: Any) -> None:
        self._value = None if v is None else self.type.filter(v, self.strict, self.allow_downcast)

    def __repr__(self) -> str:
        return f"<Container {self.name}: {self._value!r}>"


class Function:
    """A compiled function: call it with the inputs' values; read and write defaults with ``f[name]``.

    Attributes
    ----------
    maker : FunctionMaker
        Holds the graph (``maker.fgraph``) and the linked callables.
    trust_input : bool
        When True, calls skip all argument checks and conversions: arguments
        must be given positionally, complete, as arrays of the exact types.
    name : str or None
    profile : ProfileStats or None
    finder : dict
        Maps each input's index, variable and name to its :class:`Container`.
    """

    def __init__(
        self,
        maker: FunctionMaker,
        allow_input_downcast: bool | None = None,
        name: str | None = None,
        output_keys: Sequence[str] | None = None,
        unpack_single: bool = True,
        return_none: bool = False,
    ):
        self.maker = maker
        self.name = name
        self.output_keys = list(output_keys) if output_keys is not None else None
        self.unpack_single = unpack_single
        self.return_none = return_none
        self.trust_input = False
        self.profile = maker.profile
        self._containers: list[Container] = []
        self.finder: dict[Any, Any] = {}
        for k, spec in enumerate(maker.inputs):
            allow = spec.allow_downcast if spec.allow_downcast is not None else allow_input_downcast
            value = spec.value
            container = Container(spec.variable.type, None, spec.strict, allow, spec.name)
            if value is not None and not spec.implicit:
                container.value = value
            self._containers.append(container)
            self.finder[k] = container
            self.finder[spec.variable] = container
            if spec.name is not None:
                self.finder[spec.name] = DUPLICATE if spec.name in self.finder else container
        self._positional = [k for k, spec in enumerate(maker.inputs) if not spec.implicit]
        self._names = {}
        for k, spec in enumerate(maker.inputs):
            if spec.name is not None and not spec.implicit:
                self._names[spec.name] = DUPLICATE if spec.name in self._names else k
        self._locked = sorted((maker.shared[k] for k in maker.updates), key=lambda sv: sv.sort_key)

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
        return self._container(key).value

    def __setitem__(self, key: Any, value: Any) -> None:
        self._container(key).value = value

    def __contains__(self, key: Any) -> bool:
        return key in self.finder

    # -- the call -----------------------------------------------------------
    def _arguments(self, args: Sequence[Any], kwargs: dict[str, Any]) -> list[Any]:
        maker = self.maker
        values: list[Any] = [None] * len(maker.inputs)
        given = [False] * len(maker.inputs)
        if len(args) > len(self._positional):
            raise TypeError(
                f"function {self.name or ''} takes at most {len(self._positional)} "
                f"arguments, got {len(args)}"
            )
        for k, arg in zip(self._positional, args, strict=False):
            values[k], given[k] = arg, True
        for key, arg in kwargs.items():
            k = self._names.get(key) if isinstance(key, str) else self._index_of_variable(key)
            if k is None:
                raise TypeError(f"function {self.name or ''} has no input named {key!r}")
            if k is DUPLICATE:
                raise TypeError(f"several inputs are named {key!r}; pass them positionally")
            if given[k]:
                raise TypeError(f"input {key!r} was given twice (positionally and by keyword)")
            values[k], given[k] = arg, True
        for k, spec in enumerate(maker.inputs):
            container = self._containers[k]
            if given[k]:
                values[k] = self._filter(k, values[k], container)
            elif spec.implicit:
                values[k] = (
                    spec.value.get_value(borrow=True, return_internal_type=True)
                    if hasattr(spec.value, "get_value")
                    else container.value
                )
            elif container.value is not None:
                values[k] = container.value
            else:
                raise TypeError(
                    f"missing required input {spec.variable.describe()} (argument {k}) "
                    f"of function {self.name or ''}"
                )
        return values

    def _index_of_variable(self, var: Any) -> int | None:
        for k, spec in enumerate(self.maker.inputs):
            if spec.variable is var:
                return k
        return None

    def _filter(self, k: int, value: Any, container: Container) -> Any:
        try:
            return container.type.filter(value, container.strict, container.allow_downcast)
        except TypeError as err:
            spec = self.maker.inputs[k]
            raise TypeError(
                f"bad argument {k} ({spec.variable.describe()}) to function "
                f"{self.name or ''}: {err}"
            ) from None

    def __call__(
        self, *args: Any, output_subset: Sequence[Any] | None = None, **kwargs: Any
    ) -> Any:
        subset = self._subset(output_subset)
        linked = self.maker.linked(subset)
        if self.trust_input and not kwargs and len(args) == len(self.maker.inputs):
            values = list(args)
        else:
            values = self._arguments(args, kwargs)
        return self._run(linked, values, subset)

    def _subset(self, output_subset: Sequence[Any] | None) -> tuple[int, ...] | None:
        if output_subset is None:
            return None
        keys = self.output_keys
        indices = []
        for item in output_subset:
            if keys is not None and isinstance(item, str):
                if item not in keys:
                    raise ValueError(f"output_subset: no output named {item!r}; outputs: {keys}")
                item = keys.index(item)
            if not isinstance(item, int | np.integer) or not 0 <= item < self.maker.n_outputs:
                raise ValueError(
                    f"output_subset entries must be output indices (0..{self.maker.n_outputs - 1})"
                    f"{' or output keys' if keys else ''}, got {item!r}"
                )
            indices.append(int(item))
        return tuple(indices)

    def _run(self, linked: Any, values: list[Any], subset: tuple[int, ...] | None) -> Any:
        maker = self.maker
        n_in = len(maker.inputs)
        static = linked.static_argnums
        locks = [sv.lock for sv in self._locked]
        for lock in locks:
            lock.acquire()
        try:
            shared_values = [sv._value for sv in maker.shared]
            args = values + shared_values
            for i in linked.donate_argnums:  # never donate a buffer the user may still hold
                if i >= n_in and maker.shared[i - n_in].borrowed:
                    args[i] = jnp.array(args[i], copy=True)
            for i in static:
                args[i] = StaticValue(args[i])
            results = linked.jitted(*args)
            self._write_back(results)
        finally:
            for lock in reversed(locks):
                lock.release()
        return self._outputs(results, subset)

    def _write_back(self, results: Sequence[Any]) -> None:
        maker = self.maker
        pending = [(maker.shared[k], results[pos]) for k, pos in maker.updates.items()]
        pending += [(self._containers[k], results[pos]) for k, pos in maker.input_updates.items()]
        try:
            self._store(pending)
        except BaseException:
            self._store(pending)  # finish the write-back, then re-raise (e.g. KeyboardInterrupt)
            raise

    @staticmethod
    def _store(pending: list[tuple[Any, Any]]) -> None:
        for target, value in pending:
            if isinstance(target, Container):
                target._value = value
            else:
                target._write(value)

    def _outputs(self, results: Sequence[Any], subset: tuple[int, ...] | None) -> Any:
        maker = self.maker
        chosen = list(range(maker.n_outputs)) if subset is None else list(subset)
        n = len(chosen)
        updated = {id(r) for r in results[n:]}
        outs = []
        for pos, k in enumerate(chosen):
            value = results[pos]
            if not maker.outputs[k].borrow:
                # an output that is also a new shared buffer is copied: that buffer may be donated later
                value = np.array(value, copy=True) if id(value) in updated else np.asarray(value)
            outs.append(value)
        if self.output_keys is not None:
            return {self.output_keys[k]: v for k, v in zip(chosen, outs, strict=True)}
        if self.return_none:
            return None
        if self.unpack_single and subset is None and len(outs) == 1:
            return outs[0]
        return outs

    def __repr__(self) -> str:
        return f"<graph2jax.Function {self.name or ''} of {len(self.maker.inputs)} inputs>"

    __hash__ = object.__hash__
