kernel sin(a: f64) -> f64 { return a * 100 }
func len(a) { return a }
