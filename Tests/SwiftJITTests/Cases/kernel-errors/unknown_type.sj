kernel f(x: float65) -> f64 {
    return x
}
