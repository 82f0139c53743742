func f(x) { return f(x) + 1 }

kernel k(a: f64) -> f64 {
    return f(a)
}
