"""Test values (PyTensor 2.x's debugging aid): each node built computes its outputs' values.

With ``config.compute_test_value`` on, building a node whose inputs carry
``tag.test_value`` runs the op's ``perform`` on them, so a shape error is
raised where the graph is built, not when the function runs.
"""

from __future__ import annotations

import copy
import sys
import warnings
from typing import TYPE_CHECKING

from graph2jax.config import config
from graph2jax.graph.errors import TestValueError

if TYPE_CHECKING:  # basic.py calls this module when it builds a node
    from graph2jax.graph.basic import Apply


def compute_test_value(node: Apply) -> None:
    """Run ``node``'s ``perform`` on its inputs' test values; set its outputs' ``tag.test_value``.

    As PyTensor 2.x with ``config.compute_test_value`` on: an input without a
    test value stops the computation silently (``'ignore'``), with a warning
    (``'warn'``) or with a ``ValueError`` (``'raise'``). Errors of ``perform``
    (a shape mismatch) propagate: they are raised where the graph is built.
    """

    values = []
    for k, inp in enumerate(node.inputs):
        try:
            values.append(inp.get_test_value())
        except TestValueError:
            message = (
                f"Cannot compute test value: input {k} ({inp.describe()}) of Op {node.op} "
                "missing default value"
            )
            if config.compute_test_value == "warn":
                warnings.warn(message, stacklevel=3)
            elif config.compute_test_value == "raise":
                raise ValueError(message) from None
            elif config.compute_test_value == "pdb":
                import pdb

                pdb.post_mortem(sys.exc_info()[2])
            return
    storage: list[list] = [[None] for _ in node.outputs]
    node.op.perform(node, [copy.copy(v) for v in values], storage)
    for out, (value,) in zip(node.outputs, storage, strict=True):
        out.tag.test_value = value
