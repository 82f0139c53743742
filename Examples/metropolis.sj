# W11: Metropolis sampler for the mean mu of data ~ N(mu, 1) with prior N(0, 1).
# Start at mu = 1; each step proposes prop = mu + eps (eps ~ N(0, 0.5)) and accepts it when
# u < p(prop)/p(mu), u ~ U(0, 1), where p(m) = prod_k pdf(data[k]; m, 1) * pdf(m; 0, 1)
# (20 data points: the product of densities does not underflow). Returns the samples.

func pdf(x, m) { return exp(-0.5*(x - m)**2) * 0.3989422804014327 }   # N(m, 1) density

# The proposals eps and the uniforms u given (the benchmark's layout: inputs drawn by NumPy).
kernel metropolis(data: f64[], eps: f64[], u: f64[]) -> f64[] {
    var mu = 1.0
    let out = empty(len(eps))
    for t in 0..<len(eps) {
        let prop = mu + eps[t]
        var lc = 1.0
        var lp = 1.0
        for k in 0..<len(data) {
            lc *= pdf(data[k], mu)
            lp *= pdf(data[k], prop)
        }
        let p_cur = lc * pdf(mu, 0.0)
        let p_prop = lp * pdf(prop, 0.0)
        if u[t] < p_prop / p_cur {
            mu = prop
        }
        out[t] = mu
    }
    return out
}

# The same chain drawing its own numbers from the kernel generator, seeded: per step one
# normal(mu, 0.5) proposal, then one random() uniform.
kernel metropolis_seeded(data: f64[], n: i64, s: i64) -> f64[] {
    seed(s)
    var mu = 1.0
    let out = empty(n)
    for t in 0..<n {
        let prop = normal(mu, 0.5)
        let u = random()
        var lc = 1.0
        var lp = 1.0
        for k in 0..<len(data) {
            lc *= pdf(data[k], mu)
            lp *= pdf(data[k], prop)
        }
        let p_cur = lc * pdf(mu, 0.0)
        let p_prop = lp * pdf(prop, 0.0)
        if u < p_prop / p_cur {
            mu = prop
        }
        out[t] = mu
    }
    return out
}

# The draws metropolis_seeded makes, in the same order: eps (N(0, 0.5)) and u.
kernel proposals(n: i64, s: i64) -> (f64[], f64[]) {
    seed(s)
    let eps = empty(n)
    let u = empty(n)
    for t in 0..<n {
        eps[t] = normal(0.0, 0.5)
        u[t] = random()
    }
    return eps, u
}
