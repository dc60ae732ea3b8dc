# Item 9: a handler that keeps re-receiving Req(0) (each time changing the state) is
# weakly fair as a whole; `per message` makes every message that stays deliverable
# eventually received.
spec PerMessage

network set

message Req(id: 0..1)

var started: bool = false
var flag: bool = false
var got1: bool = false

fair weak action start:
    require not started
    started := true
    send Req(0)
    send Req(1)

process Server:
    on Req(m):
        if m.id == 0:
            flag := not flag
        else:
            got1 := true

property Got1: eventually got1

allow deadlock

check perHandler:
    fair weak Server.Req
    expect Got1 violated

check perMessage:
    fair weak Server.Req per message
    expect Got1 holds

check perMessageStrong:
    fair strong Server.Req per message
    expect Got1 holds
