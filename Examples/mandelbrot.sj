# W8: Mandelbrot escape counts. out[i, j] is the last n in 1...maxit for which
# z_n = z_{n-1}**2 + c, z_0 = 0, c = cr[j] + ci[i]*1j still has |z_n| < 2 (0 if none).
# The workload: cr = ci = linspace(-2, 2, 500), maxit = 50.
kernel mandelbrot(cr: f64[], ci: f64[], maxit: i64) -> i64[,] {
    let out = zeros(len(ci), len(cr), dtype=i64)
    parallel for i in 0..<len(ci) {
        let y = ci[i]
        for j in 0..<len(cr) {
            let x = cr[j]
            var zr = 0.0
            var zi = 0.0
            var it = 0
            var n = 1
            var escaped = false
            # A flag instead of 'break': the checker rejects 'break' anywhere inside a
            # parallel loop, even in this inner serial loop (compiler bug, reported).
            while (n <= maxit) & ~escaped {
                let t = zr*zr - zi*zi + x
                zi = 2*zr*zi + y
                zr = t
                if zr*zr + zi*zi >= 4.0 {
                    escaped = true
                } else {
                    it = n
                    n += 1
                }
            }
            out[i, j] = it
        }
    }
    return out
}
