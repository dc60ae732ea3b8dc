spec FlickeringGuard
# Weak against strong fairness.  A server alternates between a background job
# (busy) and being idle; a client's request can only be served while the
# server is idle.  So `serve` is enabled infinitely often, but never
# continuously: weak fairness ("if it stays enabled, it is taken") lets the
# server ignore the client forever, strong fairness ("if it is enabled again
# and again, it is taken") does not.

enum Mode = {idle, busy}

var mode: Mode = idle
var served: bool = false

action background:
    mode := busy if mode == idle else idle

action serve:
    require mode == idle and not served
    served := true

property ClientServed: eventually served

check weak:
    fair weak background, serve
    expect ClientServed violated

check strong:
    fair weak background
    fair strong serve
    expect ClientServed holds
