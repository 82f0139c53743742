# 17 helpers, each calling the next once: deeper than the 16 levels allowed.
func h0(x) { return x + 1.0 }
func h1(x) { return h0(x) * 2.0 }
func h2(x) { return h1(x) * 2.0 }
func h3(x) { return h2(x) * 2.0 }
func h4(x) { return h3(x) * 2.0 }
func h5(x) { return h4(x) * 2.0 }
func h6(x) { return h5(x) * 2.0 }
func h7(x) { return h6(x) * 2.0 }
func h8(x) { return h7(x) * 2.0 }
func h9(x) { return h8(x) * 2.0 }
func h10(x) { return h9(x) * 2.0 }
func h11(x) { return h10(x) * 2.0 }
func h12(x) { return h11(x) * 2.0 }
func h13(x) { return h12(x) * 2.0 }
func h14(x) { return h13(x) * 2.0 }
func h15(x) { return h14(x) * 2.0 }
func h16(x) { return h15(x) * 2.0 }
func h17(x) { return h16(x) * 2.0 }

kernel k(a: f64) -> f64 {
    return h17(a)
}
