kernel f(x: f64[]) -> f64 {
    var last = 0.0
    parallel for i in 0..<len(x) {
        last = x[i]
    }
    return last
}
