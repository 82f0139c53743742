// Straightforward Swift implementations of the kernel workloads: the answers the kernels are
// checked against.
import Foundation

enum Reference {
    /// W3: rows of A*exp(-(x-x0)**2/(2*w**2)), row-major k x n.
    static func gaussians(x: [Double], A: [Double], x0: [Double], w: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: A.count * x.count)
        for i in 0..<A.count {
            for j in 0..<x.count {
                let d = x[j] - x0[i]
                out[i * x.count + j] = A[i] * Foundation.exp(-(d * d) / (2 * w[i] * w[i]))
            }
        }
        return out
    }

    /// W4: sum_i sum_{j in row i} atan(X[j]*i*j).
    static func raggedSum(X: [Double], jind: [Int64]) -> Double {
        var s = 0.0
        for i in 0..<(jind.count - 1) {
            for j in Int(jind[i])..<Int(jind[i + 1]) {
                s += Foundation.atan(X[j] * Double(i) * Double(j))
            }
        }
        return s
    }

    /// W8: escape counts, row-major len(ci) x len(cr).
    static func mandelbrot(cr: [Double], ci: [Double], maxit: Int) -> [Int64] {
        var out = [Int64](repeating: 0, count: cr.count * ci.count)
        for i in 0..<ci.count {
            for j in 0..<cr.count {
                var zr = 0.0, zi = 0.0, it = 0
                for n in stride(from: 1, through: maxit, by: 1) {
                    (zr, zi) = (zr * zr - zi * zi + cr[j], 2 * zr * zi + ci[i])
                    if zr * zr + zi * zi >= 4 { break }
                    it = n
                }
                out[i * cr.count + j] = Int64(it)
            }
        }
        return out
    }

    /// W9: a + sum_i tanh(a[i, i]) for a row-major rows x cols matrix.
    static func addTrace(_ a: [Double], rows: Int, cols: Int) -> [Double] {
        var t = 0.0
        for i in 0..<min(rows, cols) { t += Foundation.tanh(a[i * cols + i]) }
        return a.map { $0 + t }
    }

    /// W10: Doolittle elimination without pivoting; the product of the pivots.
    static func luPivotProduct(_ m: [Double], n: Int) -> Double {
        var a = m
        for k in 0..<max(0, n - 1) {
            let piv = a[k * n + k]
            for i in (k + 1)..<n {
                let l = a[i * n + k] / piv
                a[i * n + k] = l
                for j in (k + 1)..<n { a[i * n + j] -= l * a[k * n + j] }
            }
        }
        var p = 1.0
        for k in 0..<n { p *= a[k * n + k] }
        return p
    }

    static func pdf(_ x: Double, _ m: Double) -> Double {
        Foundation.exp(-0.5 * (x - m) * (x - m)) / (2 * Double.pi).squareRoot()
    }

    /// W11: the Metropolis chain for given proposals eps and uniforms u.
    static func metropolis(data: [Double], eps: [Double], u: [Double]) -> [Double] {
        var mu = 1.0
        var out: [Double] = []
        for t in 0..<eps.count {
            let prop = mu + eps[t]
            var lc = 1.0, lp = 1.0
            for d in data {
                lc *= pdf(d, mu)
                lp *= pdf(d, prop)
            }
            if u[t] < (lp * pdf(prop, 0)) / (lc * pdf(mu, 0)) { mu = prop }
            out.append(mu)
        }
        return out
    }

    /// W11 with the kernel generator's draws: per step normal(mu, 0.5), then random().
    static func metropolisSeeded(data: [Double], n: Int, seed: Int64) -> [Double] {
        var g = KernelGenerator(seed: seed)
        var eps: [Double] = [], u: [Double] = []
        for _ in 0..<n {
            eps.append(g.normal(0, 0.5))
            u.append(g.random())
        }
        return metropolis(data: data, eps: eps, u: u)
    }

    /// W13: the centres of each row's first k bumps, NaN-padded, row-major rows x k.
    static func pvLocations(_ x: [Float], rows: Int, n: Int, threshold: Double, integralThreshold: Double,
                            minWidth: Int, k: Int) -> [Double] {
        var out = [Double](repeating: .nan, count: rows * k)
        for r in 0..<rows {
            var count = 0, start = 0, inRun = false
            var integral = 0.0, weighted = 0.0
            for i in 0...n {
                let v = i < n ? Double(x[r * n + i]) : 0
                if i < n && v >= threshold {
                    if !inRun { inRun = true; start = i; integral = 0; weighted = 0 }
                    integral += v
                    weighted += v * Double(i)
                } else if inRun {
                    inRun = false
                    if i - start >= minWidth && integral >= integralThreshold && count < k {
                        out[r * k + count] = weighted / integral
                        count += 1
                    }
                }
            }
        }
        return out
    }

    /// W14: the ragged log-likelihood.
    static func logLikelihood(I: [Double], I0: [Double], mu: [Double], jind: [Int64], c0: Double, c1: Double) -> Double {
        var ell = 0.0
        for i in 0..<(jind.count - 1) {
            for j in Int(jind[i])..<Int(jind[i + 1]) {
                let m = mu[i] * I0[j]
                let s = c0 * Foundation.pow(m, c1)
                let z = (I[j] - m) / s
                ell += Foundation.log(s) + 0.5 * z * z
            }
        }
        return ell
    }
}

/// Inputs of the workloads, drawn from a fixed-seed generator.
enum Inputs {
    /// Row starts (last = total) for rows of lengths 100...19,900 (mean 10,000); the last row cut.
    static func ragged(_ r: inout ExampleRandom, total: Int) -> [Int64] {
        var starts: [Int64] = [0]
        var s = 0
        while s < total {
            s += min(r.integer(100, 19_900), total - s)
            starts.append(Int64(s))
        }
        return starts
    }

    /// A diagonally dominant n x n matrix: U(0, 1)/n + identity, row-major.
    static func dominant(_ r: inout ExampleRandom, n: Int) -> [Double] {
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { m[i * n + j] = r.uniform() / Double(n) + (i == j ? 1 : 0) }
        }
        return m
    }

    /// W13's data: noise U(0, 0.8) plus up to five Gaussian bumps per row, float32.
    static func bumps(_ r: inout ExampleRandom, rows: Int, n: Int) -> [Float] {
        var x = [Double](repeating: 0, count: rows * n)
        for i in 0..<x.count { x[i] = r.uniform(0, 0.8) }
        for _ in 0..<5 {
            for row in 0..<rows {
                let present = r.uniform() < 0.7
                let c = r.uniform(50, Double(n) - 50), h = r.uniform(1, 3) * (present ? 1 : 0), s = r.uniform(2, 10)
                guard present else { continue }
                // Beyond 12 widths the bump is below 1e-31: nothing a float32 would keep.
                let lo = max(0, Int((c - 12 * s).rounded(.down))), hi = min(n - 1, Int((c + 12 * s).rounded(.up)))
                for i in lo...hi {
                    let d = Double(i) - c
                    x[row * n + i] += h * Foundation.exp(-d * d / (2 * s * s))
                }
            }
        }
        return x.map { Float($0) }
    }
}
