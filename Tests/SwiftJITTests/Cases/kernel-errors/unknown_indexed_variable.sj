kernel total(x: f64[]) -> f64 {
    var s = 0.0
    for i in 0..<len(x) {
        s += xs[i]
    }
    return s
}
