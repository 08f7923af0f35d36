"""The call's fast entries: what ``f(...)`` runs once a stateless function is linked.

A :class:`~graph2jax.compile.function_shell.Function` is a ``functools.partial``
over its *entry*, so ``f(x)`` goes from the interpreter's C call straight into
it, with no python frame of the shell's in between. The general entry is
the shell's ``_call`` (every argument form, output subsets, profiling,
shared variables); once a function without shared variables, updates or
donations is linked, the entry follows its options:

- arguments checked (the default): :func:`checked_entry`, one python
  function generated for the function's number of inputs, that tests each
  argument's class, dtype (by identity) and ndim inline, calls the jitted
  function on the arguments as they are and converts the outputs; any other
  argument (a python number, a list, another dtype, a device array, a
  keyword) goes to the general entry, which converts it or raises its error;
- ``trust_input``: a function of one borrowed output is its jitted function
  itself (no python frame at all: a keyword or a wrong number of arguments
  gets JAX's ``TypeError``); any other keeps the general entry, which passes
  trusted arguments on as they are.
"""

from __future__ import annotations

import copyreg
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graph2jax.graph.errors import ShapeMismatchError
from graph2jax.linker.checks import CheckFailed

#: classes whose instances of the right dtype and ndim need no conversion (checked by identity: fast)
PASS_THROUGH = frozenset(
    {np.ndarray} | {t for t in np.sctypeDict.values() if issubclass(t, np.generic)}
)

_TEMPLATE = """
def entry(*args, **kwargs):
    if kwargs or len(args) != {n}:
        return general(*args, **kwargs)
    {unpack}
    if {refused}:
        return general(*args)
    try:
        results = jitted({names})
    except TypeError as err:
        raise shape_error(err) from err
    except CheckFailed as err:  # nothing to write back: the function has no shared variable
        raise err.error from None
    return {result}
"""


def shape_error(err: TypeError) -> ShapeMismatchError:
    """A TypeError raised while JAX traces validated arguments: their shapes do not fit."""
    return ShapeMismatchError(f"the call's values do not fit the graph's shapes: {err}")


def checked_entry(
    checks: Sequence[tuple[np.dtype, int]],
    jitted: Callable[..., Any],
    convert: Callable[[Any], Any] | None,
    general: Callable[..., Any],
) -> Callable[..., Any]:
    """The entry checking each argument inline: ``checks[k]`` is input ``k``'s (dtype, ndim),
    its class one of :data:`PASS_THROUGH`.

    ``convert`` turns what ``jitted`` returns (the one output itself, or the
    outputs' tuple) into what the caller receives; None: returned as it is.
    """
    names = [f"a{k}" for k in range(len(checks))]
    refused = [
        f"{a}.__class__ not in passing or {a}.dtype is not d{k} or {a}.ndim != {ndim}"
        for k, (a, (_, ndim)) in enumerate(zip(names, checks, strict=True))
    ]
    source = _TEMPLATE.format(
        n=len(checks),
        unpack=f"{', '.join(names)}, = args" if names else "",
        refused=" or ".join(refused) or "False",
        names=", ".join(names),
        result="results" if convert is None else "convert(results)",
    )
    namespace: dict[str, Any] = {
        "general": general,
        "passing": PASS_THROUGH,
        "jitted": jitted,
        "convert": convert,
        "shape_error": shape_error,
        "CheckFailed": CheckFailed,
        **{f"d{k}": dtype for k, (dtype, _) in enumerate(checks)},
    }
    exec(compile(source, "<graph2jax.compile.entry>", "exec"), namespace)
    return namespace["entry"]


def _unbuilt(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("this Function is not built yet (its __init__ has not run)")


class Routing(functools.partial):
    """The ``functools.partial`` side of a Function: which entry ``f(...)`` calls.

    The shell's ``__init__`` ends with :meth:`_route`, and so does every
    change of what decides the entry (linking, ``free()``, ``trust_input``,
    ``profile``).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return super().__new__(cls, _unbuilt)  # the shell's __init__ routes the calls

    @property
    def trust_input(self) -> bool:
        """When True, calls skip all argument checks and conversions: arguments
        must be given positionally, complete, as arrays of the exact types."""
        return self._trust_input

    @trust_input.setter
    def trust_input(self, value: bool) -> None:
        self._trust_input = bool(value)
        self._route()

    @property
    def profile(self) -> Any:
        """The :class:`~graph2jax.compile.profiling.ProfileStats` this function records into, or None."""
        return self._profile

    @profile.setter
    def profile(self, value: Any) -> None:
        self._profile = value
        self._route()

    def _route(self) -> None:
        """Point ``f(...)`` at the fastest entry right for the current options.

        The general entry (the shell's ``_call``) until a function without
        shared variables is linked (``_fast``) and while it is profiled; then
        the jitted callable itself (``trust_input``, one borrowed output) or
        :func:`checked_entry`'s (arguments checked).
        """
        entry: Callable[..., Any] = self._call
        linked = self._fast
        if linked is not None and self._profile is None:
            single = self._single and linked.single is not None
            jitted = linked.single if single else linked.call
            convert = self._to_caller[0] if single else self._convert_results
            if self._trust_input:
                if single and convert is None:
                    entry = jitted
            elif self._all_positional and None not in self._checks:
                entry = checked_entry(self._checks, jitted, convert, self._call)
        functools.partial.__setstate__(self, (entry, (), None, self.__dict__))

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        """The Function itself: one kept on a class is not bound as a method.

        ``functools.partial`` becomes a method descriptor in Python 3.14 (a
        ``FutureWarning`` in 3.13); a Function stays what PyTensor's is.
        """
        return self

    def __reduce__(self) -> tuple:
        # not functools.partial's (an entry does not pickle): the state the shell's copies keep
        return copyreg.__newobj__, (type(self),), self.__getstate__()
