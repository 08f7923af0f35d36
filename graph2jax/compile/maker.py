"""``FunctionMaker``: from normalised inputs, outputs and updates to linked callables.

The maker owns the function's graph (a :class:`FunctionGraph` whose inputs are
the explicit inputs followed by the shared variables, and whose outputs are
the outputs followed by the update expressions) and one compiled callable
(:class:`~graph2jax.linker.compiled.Compiled`) per requested output subset,
made by the mode's linker, looked up in :data:`LINKERS`. The donation
candidates come from the policy in :mod:`graph2jax.compile.aliasing`; the
linker only receives their indices and the policy's rule.
"""

from __future__ import annotations

import copy
import dataclasses
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from graph2jax.compile import aliasing, placement
from graph2jax.compile.debugmode import link_debug
from graph2jax.compile.io import In, Out
from graph2jax.compile.mode import Mode
from graph2jax.graph.basic import Variable, graph_inputs
from graph2jax.graph.errors import UnusedInputError
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import jax_linker
from graph2jax.linker.compiled import Compiled, Shardings
from graph2jax.linker.dispatch import check_supported
from graph2jax.linker.numpy_linker import NumpyCompiled
from graph2jax.ops import ragged as _ragged_rules  # noqa: F401  (registers the rules of ragged values)
from graph2jax.rewrite.engine import rewrite_fgraph
from graph2jax.types.sharedvar import SharedVariable


class FunctionMaker:
    """Builds and caches the callables of one compiled function.

    Attributes
    ----------
    inputs : list of In
    outputs : list of Out
    shared : list of SharedVariable
        The implicit inputs, in argument order after the explicit inputs.
    updates : dict
        ``{index into shared: position of its new value among fgraph outputs}``.
    input_updates : dict
        ``{index into inputs: position of its new value among fgraph outputs}``.
    fgraph : FunctionGraph
        The graph after the mode's rewrites.
    rewrites_applied : list of (str, Apply)
        The rewrites that changed ``fgraph``, in order.
    mode : Mode
    device : str, jax.Device or None
        ``function(device=...)``.
    placement : Placement or None
        The shardings of the jitted call's arguments and results
        (:mod:`graph2jax.compile.placement`); None: JAX's default device.
    """

    def __init__(
        self,
        inputs: list[In],
        outputs: list[Out],
        shared: list[SharedVariable],
        shared_updates: list[tuple[SharedVariable, Variable]],
        mode: Mode,
        accept_inplace: bool = False,
        on_unused_input: str | None = "raise",
        profile: Any = None,
        device: Any = None,
    ):
        t0 = time.perf_counter()
        self.inputs, self.outputs, self.shared, self.mode = inputs, outputs, shared, mode
        self.shared_updates = list(shared_updates)
        # the shared variables the graph was built with; ``shared`` may differ after a swap
        self.graph_shared = list(shared)
        self.profile = profile
        n_out = len(outputs)
        position = {id(sv): k for k, sv in enumerate(shared)}
        self.updates = {position[id(sv)]: n_out + j for j, (sv, _) in enumerate(shared_updates)}
        in_updates = [(k, i.update) for k, i in enumerate(inputs) if i.update is not None]
        self.input_updates = {
            k: n_out + len(shared_updates) + j for j, (k, _) in enumerate(in_updates)
        }
        graph_outputs = (
            [o.variable for o in outputs]
            + [e for _, e in shared_updates]
            + [u for _, u in in_updates]
        )
        # unused inputs are reported before missing ones (FunctionGraph's), as PyTensor does
        _check_unused(graph_outputs, inputs, on_unused_input or "raise")
        self.fgraph = FunctionGraph([i.variable for i in inputs] + list(shared), graph_outputs)
        _check_inplace(self.fgraph, accept_inplace)
        # an input read from a shared variable (``In(x, value=W)``) is never donated: W keeps it
        mutable = [
            k for k, i in enumerate(inputs) if i.mutable and not isinstance(i.value, SharedVariable)
        ]
        self.donated = aliasing.donation_candidates(len(inputs), self.updates, mutable)
        self.device = device
        self.placement = placement.plan(inputs, outputs, shared, shared_updates, device)
        placement.place_shared(self.placement, len(inputs), shared)
        self._linked: dict[tuple[int, ...] | None, Compiled] = {}
        t1 = time.perf_counter()
        self.rewrites_applied = rewrite_fgraph(self.fgraph, mode)
        self.rewrite_time = time.perf_counter() - t1
        self.build_time = t1 - t0
        if profile is not None:
            profile.rebuild_time += self.build_time
            profile.rewrite_time += self.rewrite_time
        self.linked(None)  # link now: a missing JAX implementation fails here, not at call time

    @property
    def n_outputs(self) -> int:
        return len(self.outputs)

    def linked(self, subset: tuple[int, ...] | None = None) -> Compiled:
        """The compiled callable computing outputs ``subset`` (all when None) and every update.

        Each subset is linked once, by the mode's linker, and kept until :meth:`free`.
        """
        linked = self._linked.get(subset)
        if linked is None:
            linked = self._link(subset)
            self._linked[subset] = linked
        return linked

    def free(self) -> None:
        """Forget every compiled callable (their executables go with them)."""
        self._linked.clear()

    def jax_fn(self) -> Callable[..., tuple]:
        """All outputs and new values as one pure jitted function, without donation."""
        return self.linked(None).pure()

    def variant(self, swap: dict | None = None, delete_updates: bool = False) -> FunctionMaker:
        """This maker with shared variables swapped (``{old: new}``) and/or without updates.

        A swap keeps the graph, so the linked callables are shared with this
        maker; deleting updates builds a new graph.
        """
        if not swap and not delete_updates:
            return self
        swap = dict(swap or {})
        for old, new in swap.items():
            if old not in self.shared:
                raise ValueError(f"swap: {old} is not a shared variable of this function")
            if not isinstance(new, SharedVariable) or new.type != old.type:
                raise TypeError(
                    f"swap: {new!r} cannot replace {old.describe()}: it must be a shared variable "
                    f"of type {old.type}"
                )
        if delete_updates:
            inputs = [copy.copy(spec) for spec in self.inputs]
            for spec in inputs:
                spec.update = None
            new = FunctionMaker(
                inputs,
                self.outputs,
                self.graph_shared,
                [],
                self.mode,
                True,
                "ignore",
                device=self.device,
            )
        else:
            new = copy.copy(self)
        new.shared = [swap.get(sv, sv) for sv in self.shared]
        placement.place_shared(new.placement, len(new.inputs), new.shared)
        return new

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_linked"] = {}  # compiled callables are rebuilt on load
        state["placement"] = None  # devices do not pickle: planned again on load
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.placement = placement.plan(
            self.inputs, self.outputs, self.graph_shared, self.shared_updates, self.device
        )
        placement.place_shared(self.placement, len(self.inputs), self.shared)

    def _link(self, subset: tuple[int, ...] | None) -> Compiled:
        fg = self.fgraph
        if subset is not None:
            keep = [fg.outputs[i] for i in subset] + fg.outputs[self.n_outputs :]
            fg = FunctionGraph(fg.inputs, keep, clone=False)
        shardings = None
        if self.placement is not None:
            shardings = self.placement.jit_shardings(subset, self.n_outputs)
        request = LinkRequest(fg, self.mode, self.donated, shardings, self._updated(fg))
        return LINKERS[self.mode.linker](request)

    def _updated(self, fg: FunctionGraph) -> dict[int, int]:
        """Input position → output position of its new value, in ``fg`` (all outputs or a subset)."""
        shift = len(self.fgraph.outputs) - len(fg.outputs)  # outputs an output_subset left out
        n_in = len(self.inputs)
        pairs = {n_in + k: pos - shift for k, pos in self.updates.items()}
        pairs.update({k: pos - shift for k, pos in self.input_updates.items()})
        return pairs


@dataclasses.dataclass(frozen=True)
class LinkRequest:
    """What a linker is asked to link: the graph and the compile layer's decisions about it.

    Attributes
    ----------
    fgraph : FunctionGraph
    mode : Mode
    donated : sequence of int
        The donation candidates (:mod:`graph2jax.compile.aliasing`).
    shardings : (in_shardings, out_shardings) or None
        The placement plan's shardings (:mod:`graph2jax.compile.placement`).
    updated : dict of int to int
        Input position → position of the output holding its new value.
    """

    fgraph: FunctionGraph
    mode: Mode
    donated: Sequence[int]
    shardings: Shardings | None
    updated: dict[int, int]


def _link_jax(request: LinkRequest) -> Compiled:
    """The JAX linker, donating the candidates some output can reuse, placed by the shardings."""
    check_supported(request.fgraph)
    return jax_linker.link(
        request.fgraph,
        aliasing.static_donations(request.fgraph, request.donated),
        aliasing.usable_donations,
        request.shardings,
        request.mode.checks_index_bounds(),
        request.updated,
    )


def _link_numpy(request: LinkRequest) -> Compiled:
    """The numpy reference linker (with ``MonitorMode``'s hooks); it donates and places nothing."""
    mode = request.mode
    return NumpyCompiled(
        request.fgraph, getattr(mode, "pre_func", None), getattr(mode, "post_func", None)
    )


def _link_debug(request: LinkRequest) -> Compiled:
    """The JAX linker's callable, checked node by node against the numpy reference."""
    return link_debug(_link_jax(request))


#: the linker of each ``Mode.linker`` name
LINKERS: dict[str, Callable[[LinkRequest], Compiled]] = {
    "jax": _link_jax,
    "numpy": _link_numpy,
    "debug": _link_debug,
}


def _check_inplace(fgraph: FunctionGraph, accept_inplace: bool) -> None:
    if accept_inplace:
        return
    for node in fgraph.apply_nodes:
        if node.op.destroy_map:
            raise TypeError(
                f"the graph holds the destructive (inplace) operation {node}; pass "
                "accept_inplace=True to function() to compile it anyway"
            )


def _check_unused(
    graph_outputs: Sequence[Variable], inputs: Sequence[In], on_unused_input: str
) -> None:
    if on_unused_input not in ("raise", "warn", "ignore"):
        raise ValueError(
            f"on_unused_input must be 'raise', 'warn' or 'ignore', got {on_unused_input!r}"
        )
    if on_unused_input == "ignore":
        return
    used = set(map(id, graph_inputs(graph_outputs, [i.variable for i in inputs])))
    for k, spec in enumerate(inputs):
        if id(spec.variable) in used:
            continue
        message = (
            f"function() was given input {k}, {spec.variable.describe()}, which is not needed "
            "to compute the outputs or updates. To make this error a warning or to ignore it, "
            "pass on_unused_input='warn' or 'ignore'."
        )
        if on_unused_input == "raise":
            raise UnusedInputError(message)
        warnings.warn(message, stacklevel=4)


def __getattr__(name: str) -> Any:
    """PyTensor 3's path of :func:`graph2jax.function`: ``pytensor.compile.maker.function``."""
    if name == "function":
        from graph2jax.compile.function import function  # it imports this module

        return function
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
