# The Lamport clock condition (and the spec's other invariants) for every number of
# processes:
#     stateline prove specs/lamport_clock.sl --induction --proof proofs/lamport_clock_any_size.sl
# The lemmas of proofs/lamport_clock.sl except ClocksCountEvents, which counts events
# (len(happened)) to keep clocks within MaxClock = len(Procs) * MaxEvents: a bound that
# depends on the number of processes is not checked for every size (see the note).

proof LamportClock
any size Procs

lemma EventsNumbered:
    forall e in AllEvents: (e in happened) == (e.n <= Node[e.proc].count)

lemma PastsHappened: forall f in happened: past[f] <= happened
lemma HistoriesHappened: forall p in Procs: Node[p].history <= happened

lemma HistoriesClosed:
    forall p in Procs: forall f in Node[p].history: past[f] <= Node[p].history

lemma HistoryBehindClock:
    forall p in Procs: forall e in Node[p].history: stamp[e] <= Node[p].clock

lemma MessagesCarryStamps:
    forall m in sent(Msg): m.ev in happened and m.ts == stamp[m.ev]

