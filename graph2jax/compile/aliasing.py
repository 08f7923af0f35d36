"""The donation policy: which argument buffers a call lets XLA reuse for its results.

Donating a buffer lets XLA write an output into it, so an update needs no
second copy of the value; the donated array is deleted. The policy is a closed
set of rules, each decided here and nowhere else:

1. **Candidates** (:func:`donation_candidates`): the buffers of updated shared
   variables and of ``In(mutable=True)`` inputs, except an input whose value is
   read from a shared variable (that variable keeps its buffer).
2. **Type filter** (:func:`static_donations`): a candidate no output of its
   dtype and shape can be computed into is dropped when the function is built.
3. **Call-time copies** (:func:`protect_donated`): a candidate buffer that is
   passed twice, or held by someone other than its shared variable (the
   borrowed-buffer rule), is replaced by a fresh copy, which is donated.
4. **Trace-time filter** (:func:`usable_donations`): for shapes known only
   when a call is traced (an update that grows its variable), the donations
   no output can reuse are left out of that signature's executable, so JAX
   never warns "Some donated buffers were not usable".

The compiled object (:mod:`graph2jax.linker.compiled`) executes the policy:
it receives the candidates after rule 2 and rule 4 as its donation rule.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import jax

from graph2jax.graph.basic import Type
from graph2jax.graph.fg import FunctionGraph

#: ``sys.getrefcount`` of a shared buffer referenced only by its variable and the call's arguments
#: (the variable's storage, the argument list and getrefcount's own argument)
_UNSHARED_REFCOUNT = 3


class CopyCount:
    """How many fresh device copies the policy has made (``aliasing.copies.count``).

    Each copy is a buffer that could not be donated as it was; a steady-state
    training step makes none.
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


copies = CopyCount()


def fresh_copy(typ: Type, value: Any) -> Any:
    """A new device buffer with ``value``'s contents, which a call may donate.

    Parameters
    ----------
    typ : Type
        The value's type; its :meth:`~graph2jax.graph.basic.Type.to_device` makes the copy.
    value : object

    Returns
    -------
    object
        A value sharing no memory with ``value``, laid out as ``value`` is
        (each shard of a sharded array copied where it lives).
    """
    copies.count += 1
    return typ.to_device(value, value.sharding if isinstance(value, jax.Array) else None)


def donation_candidates(
    n_inputs: int, shared_updates: Mapping[int, int], mutable_inputs: Sequence[int]
) -> tuple[int, ...]:
    """Rule 1: the argument positions whose buffers a call may donate.

    Parameters
    ----------
    n_inputs : int
        The number of explicit inputs (shared values come after them).
    shared_updates : mapping
        ``{index into the shared variables: ...}`` for the updated ones.
    mutable_inputs : sequence of int
        ``In(mutable=True)`` inputs whose value is not read from a shared variable.

    Returns
    -------
    tuple of int
    """
    return tuple(n_inputs + k for k in shared_updates) + tuple(mutable_inputs)


def static_donations(fgraph: FunctionGraph, candidates: Sequence[int]) -> tuple[int, ...]:
    """Rule 2: the inputs among ``candidates`` for which some output may have the same dtype and shape.

    Outputs are claimed one per input, in input order (as XLA pairs them).
    """
    free = list(fgraph.outputs)
    kept = []
    for i in candidates:
        typ = fgraph.inputs[i].type
        for k, out in enumerate(free):
            if _may_alias(typ, out.type):
                kept.append(i)
                del free[k]
                break
    return tuple(kept)


def _may_alias(a: Type, b: Type) -> bool:
    shape_a, shape_b = getattr(a, "shape", None), getattr(b, "shape", None)
    dtype = getattr(a, "dtype", None)
    if dtype is None or dtype != getattr(b, "dtype", None) or shape_a is None or shape_b is None:
        return False
    return len(shape_a) == len(shape_b) and all(
        x is None or y is None or x == y for x, y in zip(shape_a, shape_b, strict=True)
    )


def protect_donated(
    args: list[Any], donated: Sequence[int], n_inputs: int, types: Sequence[Type]
) -> None:
    """Rule 3: replace, in ``args``, each donated buffer that must not be consumed by a copy.

    A buffer passed twice (two variables sharing an array, or a shared value
    given as a mutable input) cannot be donated, nor consumed while another
    argument reads it. A shared buffer (position ``>= n_inputs``) referenced
    outside its variable, by a user holding the ``jax.Array``, must stay valid.

    Parameters
    ----------
    args : list
        The call's arguments, changed in place.
    donated : sequence of int
    n_inputs : int
        The number of explicit inputs.
    types : sequence of Type
        The arguments' types (to copy with).
    """
    if len(set(map(id, args))) < len(args):
        counts = Counter(map(id, args))
        for i in donated:
            if counts[id(args[i])] > 1:
                args[i] = fresh_copy(types[i], args[i])
    for i in donated:
        if i >= n_inputs and sys.getrefcount(args[i]) > _UNSHARED_REFCOUNT:
            args[i] = fresh_copy(types[i], args[i])


def usable_donations(
    args: Sequence[Any], outputs: Sequence[Any], donated: tuple[int, ...]
) -> tuple[int, ...]:
    """Rule 4: the donated arguments XLA can alias to an output (same shape and dtype), as XLA pairs them."""
    free = Counter((tuple(o.shape), o.dtype) for o in outputs if hasattr(o, "shape"))
    usable = []
    for i in donated:
        key = (tuple(args[i].shape), args[i].dtype)
        if free[key]:
            free[key] -= 1
            usable.append(i)
    return tuple(usable)
