kernel f(values: f64[]) -> f64 {
    var total = 0.0
    for i in 0..<len(values) {
        totl += values[i]
    }
    return total
}
