# Item 7: a step that changes nothing does not count as taking a fair action, and does
# not make it enabled.  The reader may re-receive Note(0) from the set network forever,
# but those steps change nothing, so weak fairness of the handler still forces Note(1)
# to be received (TLC agrees: WF_vars speaks of <<A>>_vars steps).
spec Rereceive

network set

message Note(v: 0..1)

var wrote: bool = false
var got1: bool = false

fair weak action write:
    require not wrote
    wrote := true
    send Note(0)
    send Note(1)

process Reader:
    on Note(m):
        if m.v == 1:
            got1 := true

property Got1: eventually got1

allow deadlock

check unfair:
    expect Got1 violated

check fair:
    fair weak Reader
    expect Got1 holds
