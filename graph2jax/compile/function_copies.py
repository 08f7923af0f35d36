"""Copies and pickling of a compiled :class:`~graph2jax.compile.function_shell.Function`.

A copy shares the maker (the graph and its compiled executables) and either
shares or duplicates the input containers; a pickle holds the maker, the
containers and the call options, and relinks on the first call.
"""

from __future__ import annotations

import copy as _copy
from typing import Any

import jax

from graph2jax.compile import aliasing
from graph2jax.compile.profiling import as_profile


class FunctionCopies:
    """``copy``, ``__copy__`` and pickling, for :class:`~graph2jax.compile.function_shell.Function`."""

    def copy(
        self,
        share_memory: bool = False,
        swap: dict | None = None,
        delete_updates: bool = False,
        name: str | None = None,
        profile: Any = None,
    ) -> Any:
        """A copy of this function.

        Parameters
        ----------
        share_memory : bool
            True: the copy shares this function's input containers (defaults
            and stateful inputs' values: setting ``f[name]`` changes both).
            False: it gets its own copies of them.
        swap : dict, optional
            ``{old_shared: new_shared}``: the copy reads and updates
            ``new_shared`` where this function uses ``old_shared``; both must
            have the same type. The user's graph is not changed.
        delete_updates : bool
            The copy applies no update (shared or stateful input).
        name : str, optional
            Default: this function's name followed by ``" copy"``.
        profile : None, True or ProfileStats
            As :func:`graph2jax.function`'s ``profile``.

        Returns
        -------
        Function
        """
        maker = self.maker.variant(swap=swap, delete_updates=delete_updates)
        if share_memory:
            containers = self._containers
        else:
            containers = [_copy.copy(c) for c in self._containers]
            for c in containers:
                if isinstance(c._value, jax.Array):  # each copy donates its own buffer
                    c._value = aliasing.fresh_copy(c.type, c._value)
        if name is None and self.name is not None:
            name = f"{self.name} copy"
        new = type(self)(
            maker,
            self._allow_input_downcast,
            name,
            self.output_keys,
            self.unpack_single,
            self.return_none,
            profile=as_profile(profile, name),
            containers=containers,
        )
        new.trust_input = self.trust_input
        return new

    def __copy__(self) -> Any:
        return self.copy()

    def __getstate__(self) -> dict:
        return {
            "maker": self.maker,
            "allow_input_downcast": self._allow_input_downcast,
            "name": self.name,
            "output_keys": self.output_keys,
            "unpack_single": self.unpack_single,
            "return_none": self.return_none,
            "profile": self.profile,
            "containers": self._containers,
            "trust_input": self.trust_input,
        }

    def __setstate__(self, state: dict) -> None:
        trust_input = state.pop("trust_input")
        self.__init__(**state)  # the maker relinks (re-jits) on the first call
        self.trust_input = trust_input
