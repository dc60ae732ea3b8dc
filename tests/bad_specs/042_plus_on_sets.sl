spec PlusSets
var s: set[0..3] = {}
action add:
    s := s + {1}
