spec EnabledSingleInstanceIndexed
process Server:
    var busy: bool = false
    action work:
        require not busy
        busy := true

invariant I: enabled(Server[1].work) or Server.busy
