spec MapIntKey
var m: map[int, bool] = {}
