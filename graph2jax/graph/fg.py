"""``FunctionGraph``: a graph with fixed inputs and outputs, the unit that is rewritten and linked."""

from __future__ import annotations

from collections.abc import Sequence

from graph2jax.graph.basic import Apply, Constant, Variable, _clone_with_memo, toposort

#: the client entry marking that a variable is the fgraph's i-th output
OUTPUT = "output"


class FunctionGraph:
    """Inputs, outputs and every node between them, with client lists.

    Parameters
    ----------
    inputs : sequence of Variable
        The graph's free inputs. Every owner-less, non-constant variable the
        outputs depend on must be among them.
    outputs : sequence of Variable
    clone : bool
        Copy the graph first (default), so rewrites never touch the user's graph.

    Attributes
    ----------
    clients : dict
        ``clients[var]`` is a list of ``(node, input_index)`` pairs, with
        ``(OUTPUT, i)`` for the fgraph's i-th output.
    """

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable], clone: bool = True):
        inputs, outputs = list(inputs), list(outputs)
        if clone:
            memo: dict[int, Variable] = {id(i): i.clone() for i in inputs}
            outputs = _clone_with_memo(outputs, memo, rebuild_strict=True, copy_inputs=False)
            inputs = [memo[id(i)] for i in inputs]
        self.inputs = inputs
        self.outputs: list[Variable] = []
        self.apply_nodes: set[Apply] = set()
        self.variables: set[Variable] = set(inputs)
        self.clients: dict[Variable, list] = {i: [] for i in inputs}
        input_ids = set(map(id, inputs))
        for node in toposort(inputs, outputs):
            self._import_node(node, input_ids)
        for i, out in enumerate(outputs):
            self._import_var(out, input_ids)
            self.outputs.append(out)
            self.clients[out].append((OUTPUT, i))

    def _import_var(self, var: Variable, input_ids: set[int]) -> None:
        if var in self.variables:
            return
        if var.owner is None and not isinstance(var, Constant) and id(var) not in input_ids:
            from graph2jax.graph.errors import MissingInputError

            raise MissingInputError(
                f"input {var.describe()} is needed to compute the outputs but was not "
                "given in the inputs list",
                variable=var,
            )
        self.variables.add(var)
        self.clients.setdefault(var, [])
        if var.owner is not None and var.owner not in self.apply_nodes:
            self._import_node(var.owner, input_ids)

    def _import_node(self, node: Apply, input_ids: set[int]) -> None:
        if node in self.apply_nodes:
            return
        for inp in node.inputs:
            self._import_var(inp, input_ids)
        self.apply_nodes.add(node)
        for i, inp in enumerate(node.inputs):
            self.clients[inp].append((node, i))
        for out in node.outputs:
            self.variables.add(out)
            self.clients.setdefault(out, [])

    def toposort(self) -> list[Apply]:
        """The apply nodes in an order where each follows its inputs' owners."""
        return toposort(self.inputs, self.outputs)

    def structural_key(self) -> tuple:
        """A hashable value, equal for two graphs that compute the same thing the same way.

        It holds the inputs' types, each node's op (compared by its props, and
        by this key for an op with inner graphs), its inputs' wiring and its
        outputs' types, every constant's type and value, and which variables
        are the outputs. Names, creation lines and object identities are left
        out, so a copy, a pickled copy or the same graph built twice have
        equal keys; ops with inner graphs compare by the keys of their graphs.

        Examples
        --------
        >>> import graph2jax.tensor as gt
        >>> x = gt.dvector("x")
        >>> key = FunctionGraph([x], [gt.exp(x) + 1]).structural_key()
        >>> key == FunctionGraph([x], [gt.exp(x) + 1]).structural_key()
        True
        >>> key == FunctionGraph([x], [gt.exp(x) + 2]).structural_key()
        False
        """
        wires: dict[int, tuple] = {id(v): ("input", k) for k, v in enumerate(self.inputs)}

        def wire(var: Variable) -> tuple:
            if id(var) in wires:
                return wires[id(var)]
            return ("constant", var.signature())  # every other leaf is a constant

        nodes = []
        for n, node in enumerate(self.toposort()):
            nodes.append(
                (node.op, tuple(map(wire, node.inputs)), tuple(o.type for o in node.outputs))
            )
            wires.update((id(out), ("node", n, out.index)) for out in node.outputs)
        return (tuple(v.type for v in self.inputs), tuple(nodes), tuple(map(wire, self.outputs)))

    def replace(self, var: Variable, new_var: Variable, reason: str | None = None) -> None:
        """Make every client of ``var`` use ``new_var`` instead (see :meth:`Type.replacement`).

        ``reason`` (the rewrite making the change) is named if the types do not fit.
        """
        new_var = var.type.replacement(var, new_var, f" (rewrite {reason})" if reason else "")
        if var not in self.clients:
            return  # an output of a graph node that nothing uses: nothing to redirect
        input_ids = set(map(id, self.inputs))
        self._import_var(new_var, input_ids)
        for client, idx in list(self.clients[var]):
            if client == OUTPUT:
                self.outputs[idx] = new_var
            else:
                client.inputs[idx] = new_var
            self.clients[new_var].append((client, idx))
        self.clients[var] = []
        self._prune(var)

    def replace_all(
        self, pairs: Sequence[tuple[Variable, Variable]], reason: str | None = None
    ) -> None:
        """:meth:`replace` for each ``(var, new_var)`` pair in order."""
        for var, new_var in pairs:
            self.replace(var, new_var, reason=reason)

    def _prune(self, var: Variable) -> None:
        """Drop ``var``'s owner and what only it used, once no client needs them any more."""
        stack = [var.owner]
        while stack:
            node = stack.pop()
            if node is None or node not in self.apply_nodes:
                continue
            if any(self.clients.get(out) for out in node.outputs):
                continue
            self.apply_nodes.discard(node)
            for out in node.outputs:
                self.variables.discard(out)
                self.clients.pop(out, None)
            for i, inp in enumerate(node.inputs):
                if inp in self.clients:
                    self.clients[inp] = [c for c in self.clients[inp] if c != (node, i)]
                    stack.append(inp.owner)

    def clone(self) -> FunctionGraph:
        """A copy with new variables and nodes (inputs are copied too)."""
        return FunctionGraph(self.inputs, self.outputs, clone=True)

    def __str__(self) -> str:
        return f"FunctionGraph({', '.join(map(str, self.outputs))})"
