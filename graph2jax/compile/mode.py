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

PyTensor's names are aliases (docs/function.rst has the table): its linker
names and linker objects (:mod:`graph2jax.compile.linkers`) select the linker,
its mode names (any case) the predefined mode.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from graph2jax.compile.linkers import Linker
from graph2jax.config import config

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
    linker : str or Linker, optional
        ``'jax'`` (default), ``'numpy'`` or ``'debug'``. PyTensor's linker
        names are accepted too: ``'py'`` means ``'numpy'``; ``'c'``, ``'c|py'``,
        ``'vm'`` and ``'cvm'`` (and their ``_nogc`` forms) mean ``'jax'``. So are PyTensor's linker
        objects (``VMLinker(...)``, ``PerformLinker()``, ...): the object is kept
        in :attr:`provided_linker`.
    optimizer : str, optional
        The rewrite set: ``'fast_run'`` (default), ``'fast_compile'`` or ``None``
        for no rewrites.
    check_index_bounds : bool, optional
        Whether an out-of-range index known only at run time raises
        ``IndexError`` (True) or gets JAX's behaviour (False: reads clamp,
        writes drop it); None (default) follows ``config.check_index_bounds``.

    Raises
    ------
    ValueError
        An unknown linker name.
    TypeError
        A linker object that is not one of :mod:`graph2jax.compile.linkers`'.

    Examples
    --------
    >>> from graph2jax.compile.mode import Mode
    >>> from graph2jax.link.vm import VMLinker
    >>> Mode(linker="cvm").linker, Mode(linker=VMLinker(use_cloop=False)).linker
    ('jax', 'jax')
    >>> Mode(linker="py").linker
    'numpy'
    """

    def __init__(
        self,
        linker: str | None = None,
        optimizer: str | None = "fast_run",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        check_index_bounds: bool | None = None,
    ):
        self.provided_linker = linker
        self.check_index_bounds = check_index_bounds
        if isinstance(linker, Linker):
            linker = linker.backend
        elif linker is not None and not isinstance(linker, str):
            raise TypeError(
                f"Mode(linker=...) takes a linker name or a linker object of "
                f"graph2jax.link (VMLinker, CLinker, OpWiseCLinker, PerformLinker, "
                f"JAXLinker), got {type(linker).__name__}: {linker!r}"
            )
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

    def checks_index_bounds(self) -> bool:
        """Whether functions of this mode check run-time indices (the option, else the config flag)."""
        if self.check_index_bounds is not None:
            return bool(self.check_index_bounds)
        return bool(config.check_index_bounds)

    def unsupported(self) -> str | None:
        """Why :func:`graph2jax.function` cannot use this mode's linker object, or None."""
        provided = self.provided_linker
        return provided.unsupported() if isinstance(provided, Linker) else None

    def _key(self) -> tuple:
        return (self.linker, self.optimizer, self.include, self.exclude, self.check_index_bounds)

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


# PyTensor's mode names (it reads them in any case): its C/VM modes are the jitted
# JAX call, its debug mode graph2jax's DebugMode. Its other backends (NUMBA, PYTORCH,
# MLX) stay unknown names: a script asking for them asks for something not here.
PYTENSOR_MODES = {
    **dict.fromkeys(("FAST_RUN", "C", "CVM", "CVM_NOGC", "VM", "VM_NOGC", "JAX"), "FAST_RUN"),
    "FAST_COMPILE": "FAST_COMPILE",
    "NUMPY": "NUMPY",
    "PY": "NUMPY",
    **dict.fromkeys(("DEBUGMODE", "DEBUG_MODE"), "DebugMode"),
}


def get_mode(mode: Any = None) -> Mode:
    """The :class:`Mode` for ``mode``: a Mode, a predefined name, or None for ``config.mode``."""
    if isinstance(mode, Mode):
        return mode
    if mode is None:
        mode = config.mode
    if isinstance(mode, str) and mode in predefined_modes:
        return predefined_modes[mode]
    if isinstance(mode, str) and mode.upper() in PYTENSOR_MODES:
        return predefined_modes[PYTENSOR_MODES[mode.upper()]]
    raise ValueError(f"unknown mode {mode!r}; use a Mode or one of {sorted(predefined_modes)}")


def get_default_mode() -> Mode:
    """The mode ``config.mode`` names (PyTensor's ``get_default_mode``).

    Examples
    --------
    >>> from graph2jax.compile.mode import get_default_mode
    >>> get_default_mode().linker
    'jax'
    """
    return get_mode(None)
