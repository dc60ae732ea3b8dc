spec NetworkKind
network queue
message Ping
