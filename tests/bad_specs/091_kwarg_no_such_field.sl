spec NoKwField
network set
message Ping(src: 0..2)
action ping:
    send Ping(source=1)
