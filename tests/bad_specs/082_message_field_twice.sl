spec FieldTwice
network set
message Vote(ballot: 0..3, ballot: 0..3)
