func f(x) { return g(x) + 1 }
func g(x) { return f(x) * 2 }

kernel k(a: f64) -> f64 {
    return f(a)
}
