kernel pos(x: f64) -> f64 {
    if x > 0 {
        return x
    }
}
