"""PyTensor's ``pfunc`` at its path ``graph2jax.compile.function.pfunc``."""

from __future__ import annotations

from typing import Any

from graph2jax.compile.function.basic import function
from graph2jax.compile.function_shell import Function


def pfunc(params: Any, outputs: Any = None, **kwargs: Any) -> Function:
    """PyTensor's ``pfunc(params, outputs, ...)``: :func:`graph2jax.function` under its old name.

    Parameters
    ----------
    params : list of Variable or In
        :func:`graph2jax.function`'s ``inputs``.
    outputs : optional
    **kwargs
        :func:`graph2jax.function`'s keyword arguments.

    Returns
    -------
    Function

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> from graph2jax.compile.function import pfunc
    >>> x = gt.dscalar("x")
    >>> float(pfunc([x], x + 1)(1.0))
    2.0
    """
    return function(params, outputs, **kwargs)
