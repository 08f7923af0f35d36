"""Compilation modes: which rewrites run and which linker evaluates the graph.

============ ======= =========================================================
name         linker  what it does
============ ======= =========================================================
FAST_RUN     jax     the default: rewrites for speed and stability, one jitted call
JAX          jax     the same as FAST_RUN
FAST_COMPILE jax     only the rewrites needed for correctness; quicker to build
NUMPY        numpy   evaluates each node's numpy reference, no jit (tests, debugging)
DebugMode    debug   runs the JAX function and the numpy reference node by node,
                     raising on the first node whose results differ
============ ======= =========================================================
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

LINKERS = ("jax", "numpy", "debug")
# PyTensor's own linkers, so that ``Mode(linker="cvm")`` in a ported script works:
# the python one evaluates each node's numpy reference like ours, the compiled
# (C / virtual machine) ones become the jitted JAX call.
PYTENSOR_LINKERS = {
    "py": "numpy",
    **dict.fromkeys(("c", "c|py", "vm", "cvm", "vm_nogc", "cvm_nogc", "c|py_nogc"), "jax"),
}


class Mode:
    """A linker and a set of rewrite tags.

    Parameters
    ----------
    linker : str, optional
        ``'jax'`` (default), ``'numpy'`` or ``'debug'``. PyTensor's linker
        names are accepted too: ``'py'`` means ``'numpy'``; ``'c'``, ``'c|py'``,
        ``'vm'`` and ``'cvm'`` (and their ``_nogc`` forms) mean ``'jax'``.
    optimizer : str, optional
        The rewrite set: ``'fast_run'`` (default), ``'fast_compile'`` or ``None``
        for no rewrites.
    """

    def __init__(
        self,
        linker: str | None = None,
        optimizer: str | None = "fast_run",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
    ):
        linker = PYTENSOR_LINKERS.get(linker, linker or "jax")
        if linker not in LINKERS:
            raise ValueError(f"unknown linker {linker!r}; use one of {LINKERS}")
        self.linker = linker
        self.optimizer = optimizer
        self.include = tuple(include)
        self.exclude = tuple(exclude)

    def including(self, *tags: str) -> Mode:
        """This mode with the rewrites tagged ``tags`` turned on."""
        return self._with(self.include + tags, tuple(t for t in self.exclude if t not in tags))

    def excluding(self, *tags: str) -> Mode:
        """This mode with the rewrites tagged ``tags`` turned off."""
        return self._with(tuple(t for t in self.include if t not in tags), self.exclude + tags)

    def _with(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> Mode:
        new = copy.copy(self)  # a subclass (MonitorMode) keeps its own settings
        new.include, new.exclude = include, exclude
        return new

    def _key(self) -> tuple:
        return (self.linker, self.optimizer, self.include, self.exclude)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mode) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Mode(linker={self.linker!r}, optimizer={self.optimizer!r}, "
            f"include={self.include}, exclude={self.exclude})"
        )


predefined_modes: dict[str, Mode] = {
    "FAST_RUN": Mode("jax", "fast_run"),
    "JAX": Mode("jax", "fast_run"),
    "FAST_COMPILE": Mode("jax", "fast_compile"),
    "NUMPY": Mode("numpy", "fast_compile"),
    "DebugMode": Mode("debug", "fast_run"),
}


def get_mode(mode: Any = None) -> Mode:
    """The :class:`Mode` for ``mode``: a Mode, a predefined name, or None for ``config.mode``."""
    if isinstance(mode, Mode):
        return mode
    if mode is None:
        from graph2jax.config import config

        mode = config.mode
    if isinstance(mode, str) and mode in predefined_modes:
        return predefined_modes[mode]
    raise ValueError(f"unknown mode {mode!r}; use a Mode or one of {sorted(predefined_modes)}")
