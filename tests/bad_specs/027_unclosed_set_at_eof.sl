spec UnclosedSet
const S = {1, 2, 3
