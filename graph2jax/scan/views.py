"""``map``, ``reduce``, ``foldl`` and ``foldr``: common loops written with :func:`scan`, as PyTensor's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph2jax.ops.scan.build import scan


def map(
    fn: Callable,
    sequences: Any,
    non_sequences: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
    return_updates: bool = True,
) -> Any:
    """Apply ``fn`` to each row of the sequences: ``scan`` with no recurrent state.

    Examples
    --------
    >>> import numpy as np, graph2jax, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> squares, _ = graph2jax.map(lambda v: v**2, sequences=x)
    >>> graph2jax.function([x], squares)(np.array([1.0, 2.0, 3.0]))
    array([1., 4., 9.])
    """
    return scan(
        fn,
        sequences=sequences,
        outputs_info=None,
        non_sequences=non_sequences,
        truncate_gradient=truncate_gradient,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
        return_updates=return_updates,
    )


def reduce(
    fn: Callable,
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
    return_updates: bool = True,
) -> Any:
    """``scan`` keeping only the last value of each output.

    Examples
    --------
    >>> import numpy as np, graph2jax, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> total, _ = graph2jax.scan.reduce(lambda v, acc: acc + v, x, gt.constant(0.0, dtype="float64"))
    >>> float(graph2jax.function([x], total)(np.array([1.0, 2.0, 3.0])))
    6.0
    """
    result = scan(
        fn,
        sequences=sequences,
        outputs_info=outputs_info,
        non_sequences=non_sequences,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
        return_updates=return_updates,
    )
    outputs, updates = result if return_updates else (result, None)
    last = [o[-1] for o in outputs] if isinstance(outputs, list) else outputs[-1]
    return (last, updates) if return_updates else last


def foldl(
    fn: Callable,
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: Any = None,
    name: str | None = None,
    return_updates: bool = True,
) -> Any:
    """:func:`reduce` from the first row to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, False, mode, name, return_updates)


def foldr(
    fn: Callable,
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: Any = None,
    name: str | None = None,
    return_updates: bool = True,
) -> Any:
    """:func:`reduce` from the last row to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, True, mode, name, return_updates)


__all__ = ["foldl", "foldr", "map", "reduce"]
