"""PyTensor's linker classes, as objects :class:`~graph2jax.compile.mode.Mode` accepts.

A ported script builds ``Mode(linker=VMLinker(...))``; each class here names the
graph2jax linker that stands for it (:attr:`Linker.backend`): PyTensor's compiled
linkers (C, the virtual machines, JAX) become the one jitted JAX call, its pure
python ``PerformLinker`` becomes the NUMPY linker (each node's ``perform``).
Options that only tune PyTensor's C/VM machinery (garbage collection, the C
loop, lazy evaluation) do not change what a graph2jax function computes and are
kept for inspection; options asking for per-node work a jitted call cannot do
(a ``callback`` run after each node) make :func:`graph2jax.function` raise.
"""

from __future__ import annotations

from typing import Any


class Linker:
    """Base class of PyTensor-style linker objects.

    Attributes
    ----------
    backend : str
        The graph2jax linker used: ``'jax'``, ``'numpy'`` or ``'debug'``.
    options : dict
        The keyword arguments given (PyTensor's names).
    """

    backend = "jax"

    def __init__(self, **options: Any):
        self.options = options

    def unsupported(self) -> str | None:
        """Why :func:`graph2jax.function` cannot use this linker, or None."""
        return None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}({args})"


class VMLinker(Linker):
    """PyTensor's virtual-machine linker (``'vm'``/``'cvm'``): the jitted JAX call here.

    Parameters
    ----------
    allow_gc, use_cloop, lazy, schedule, c_thunks, allow_partial_eval
        Accepted and recorded; they tune PyTensor's VM only.
    callback, callback_input : callable, optional
        PyTensor calls them after each node; a jitted graph has no per-node
        step, so a function built with either raises ``NotImplementedError``.
    """

    def __init__(
        self,
        allow_gc: bool | None = None,
        use_cloop: bool = False,
        callback: Any = None,
        callback_input: Any = None,
        lazy: bool | None = None,
        schedule: Any = None,
        c_thunks: bool | None = None,
        allow_partial_eval: bool | None = None,
    ):
        super().__init__(
            allow_gc=allow_gc,
            use_cloop=use_cloop,
            callback=callback,
            callback_input=callback_input,
            lazy=lazy,
            schedule=schedule,
            c_thunks=c_thunks,
            allow_partial_eval=allow_partial_eval,
        )
        self.allow_gc, self.use_cloop, self.lazy, self.c_thunks = (
            allow_gc,
            use_cloop,
            lazy,
            c_thunks,
        )
        self.callback, self.callback_input = callback, callback_input

    def unsupported(self) -> str | None:
        if self.callback is not None or self.callback_input is not None:
            return (
                "VMLinker(callback=...) runs a callback after each node; a graph2jax "
                "function is one jitted call with no per-node step (use MonitorMode "
                "to watch each node's values)"
            )
        return None


class CLinker(Linker):
    """PyTensor's C linker: the jitted JAX call here (``schedule`` is recorded only)."""

    def __init__(self, schedule: Any = None):
        super().__init__(schedule=schedule)


class OpWiseCLinker(Linker):
    """PyTensor's op-wise C linker: the jitted JAX call here (options recorded only)."""

    def __init__(self, allow_gc: bool | None = None, schedule: Any = None):
        super().__init__(allow_gc=allow_gc, schedule=schedule)


class PerformLinker(Linker):
    """PyTensor's python linker (each node's ``perform``): graph2jax's NUMPY linker."""

    backend = "numpy"

    def __init__(self, allow_gc: bool | None = None, schedule: Any = None):
        super().__init__(allow_gc=allow_gc, schedule=schedule)


class JAXLinker(Linker):
    """PyTensor's JAX backend linker: graph2jax's own jitted JAX call."""
