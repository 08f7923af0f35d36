"""``MonitorMode``: run a function node by node and call user hooks around each node (as PyTensor's).

The graph is evaluated with each op's numpy reference (no jit), so the hooks
see concrete values: the usual way to find the first node producing a NaN.
"""

from __future__ import annotations

from typing import Any

from graph2jax.compile.mode import Mode
from graph2jax.linker.numpy_linker import NodeHook


class MonitorMode(Mode):
    """A mode calling ``pre_func`` and ``post_func`` around every node.

    Parameters
    ----------
    pre_func, post_func : callable, optional
        ``hook(fgraph, i, node, fn)``: ``i`` is the node's position in the
        execution order; ``fn.inputs`` and ``fn.outputs`` are lists of
        one-element lists holding the node's input and output values
        (outputs are None before the node runs).
    optimizer : str, optional
        The rewrite set (``'default'`` is ``'fast_run'``).
    linker : None
        Accepted for PyTensor compatibility; evaluation is always node by node.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> from graph2jax.compile import MonitorMode
    >>> seen = []
    >>> def record(fgraph, i, node, fn):
    ...     seen.append((str(node.op), [float(o[0]) for o in fn.outputs]))
    >>> x = gt.dscalar("x")
    >>> f = g.function([x], gt.exp(x) * 2, mode=MonitorMode(post_func=record))
    >>> float(f(0.0))
    2.0
    >>> seen
    [('exp', [1.0]), ('mul', [2.0])]
    """

    def __init__(
        self,
        pre_func: NodeHook | None = None,
        post_func: NodeHook | None = None,
        optimizer: str | None = "default",
        linker: Any = None,
    ):
        super().__init__("numpy", "fast_run" if optimizer == "default" else optimizer)
        self.pre_func = pre_func
        self.post_func = post_func

    def _key(self) -> tuple:
        return (*super()._key(), self.pre_func, self.post_func)

    def __repr__(self) -> str:
        return f"MonitorMode(pre_func={self.pre_func!r}, post_func={self.post_func!r})"
