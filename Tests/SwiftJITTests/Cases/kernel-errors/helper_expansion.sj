# Each helper calls the one below it three times: 3^7 = 2187 copies once expanded.
func h0(x) { return x * 0.5 + 1.0 }
func h1(x) { return h0(x) + h0(x + 1.0) + h0(x - 1.0) }
func h2(x) { return h1(x) + h1(x + 1.0) + h1(x - 1.0) }
func h3(x) { return h2(x) + h2(x + 1.0) + h2(x - 1.0) }
func h4(x) { return h3(x) + h3(x + 1.0) + h3(x - 1.0) }
func h5(x) { return h4(x) + h4(x + 1.0) + h4(x - 1.0) }
func h6(x) { return h5(x) + h5(x + 1.0) + h5(x - 1.0) }
func h7(x) { return h6(x) + h6(x + 1.0) + h6(x - 1.0) }

kernel k(a: f64) -> f64 {
    return h7(a)
}
