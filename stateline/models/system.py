"""`System`: one finite instance of a spec, lowered; the IR both engines read.

Constants are bound and evaluated, every declared type has its concrete
`Dom`, process-local variables are laid out as one state slot per process
instance, and the network is one more slot.  Actions, guards and properties
stay as typed IR (`lang.ir`); `models.compile` turns them into Python code and
`prover` into Z3 terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Span
from ..lang import ir
from .domains import DMsg, DRecord, Dom


@dataclass(frozen=True)
class Slot:
    """One component of the state tuple."""

    index: int
    name: str               # e.g. "TM.state", "RM[2].state", "network"
    var: ir.VarSym | None   # None for the network slot
    instance: object        # the process instance value (None for globals)
    dom: Dom


@dataclass(frozen=True)
class ProcessInfo:
    name: str
    instances: tuple         # runtime values of the instances (empty: single instance)
    instance_dom: Dom | None
    first_node: int          # index of its first instance in System.nodes
    self_local: ir.Local | None
    span: Span | None = None

    @property
    def single(self) -> bool:
        return self.instance_dom is None

    def count(self) -> int:
        return 1 if self.single else len(self.instances)


@dataclass(frozen=True)
class VarLayout:
    var: ir.VarSym
    dom: Dom
    base: int                # slot of the first instance
    process: ProcessInfo | None


@dataclass(frozen=True)
class Network:
    kind: str                # "set" | "bag" | "fifo"
    options: tuple[str, ...]
    messages: DMsg
    rep: str                 # "mask" | "frozenset" | "bag" | "fifo"
    slot: int
    channels: int            # fifo: number of channels (nodes squared)
    partitions: int = 0      # at most this many partition events (0: none)
    partition_slot: int = -1  # the nodes on one side (bitmask; 0: no partition)
    count_slot: int = -1     # partitions so far

    @property
    def senders(self) -> bool:
        """Do bag elements carry their sender, as (node, message)?  (For partitions.)"""
        return self.rep == "bag" and self.partitions > 0

    @property
    def lossy(self) -> bool:
        return "lossy" in self.options

    @property
    def duplicating(self) -> bool:
        return "duplicating" in self.options


@dataclass(frozen=True)
class Property:
    name: str
    kind: str                # "invariant" | "transition" | "constraint" | "temporal"
    expr: ir.E
    span: Span
    temporal: ir.TemporalIR | None = None


@dataclass
class System:
    name: str
    path: str
    constants: dict[str, tuple[object, Dom]]
    symmetric: tuple[str, ...]
    records: dict[str, DRecord]
    processes: dict[str, ProcessInfo]
    nodes: tuple[tuple[str, object], ...]        # (process, instance value)
    variables: dict[ir.VarSym, VarLayout]
    slots: tuple[Slot, ...]
    network: Network | None
    initial_choices: tuple[tuple, ...]          # per slot: its possible initial values
    actions: tuple[ir.ActionIR, ...]
    invariants: tuple[Property, ...]
    transitions: tuple[Property, ...]
    constraints: tuple[Property, ...]
    allow_deadlock: bool
    # Temporal properties, and the fairness rules of each action (none: not fair),
    # the spec's own combined with the check block's.
    temporal: tuple[Property, ...] = ()
    fairness: tuple[tuple[ir.FairRule, ...], ...] = ()
    heal_fairness: str | None = None    # of the network's built-in heal action
    histories: tuple[str, ...] = ()     # global variables holding recorded histories
    constants_span: Span | None = None
    # Every initial state, when some initial value reads another variable (the
    # states are then not the product of initial_choices); None otherwise.
    initial_list: tuple[tuple, ...] | None = None
    sites: list[Span] = field(default_factory=list)  # run-time error locations
    # The lowering context: constant tables and the code generator that
    # compilation continues from (so constants are evaluated once).
    context: object = field(default=None, repr=False, compare=False)

    def node_name(self, node: int) -> str:
        proc, inst = self.nodes[node]
        p = self.processes[proc]
        if p.single:
            return proc
        return f"{proc}[{p.instance_dom.show(inst)}]"

    def node_index(self, process: str, instance) -> int:
        p = self.processes[process]
        if p.single:
            return p.first_node
        return p.first_node + p.instances.index(instance)
