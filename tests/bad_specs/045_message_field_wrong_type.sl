spec FieldType
network set
message Vote(ballot: 0..3, yes: bool)
action vote:
    send Vote(1, 2)
