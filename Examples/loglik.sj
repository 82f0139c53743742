# W14: ragged log-likelihood. Rows as in W4 (row i is jind[i]..<jind[i+1]):
# ell = sum_i sum_{j in row i} log(s_ij) + 0.5*((I[j] - mu[i]*I0[j])/s_ij)**2,
# s_ij = c0*(mu[i]*I0[j])**c1. The workload: c0 = 0.1, c1 = 0.5.
kernel loglik(I: f64[], I0: f64[], mu: f64[], jind: i64[], c0: f64, c1: f64) -> f64 {
    var ell = 0.0
    parallel for i in 0..<len(jind) - 1 {
        let m_i = mu[i]
        for j in jind[i]..<jind[i + 1] {
            let m = m_i * I0[j]
            let s = c0 * m**c1
            ell += log(s) + 0.5*((I[j] - m)/s)**2
        }
    }
    return ell
}

# The same for c1 = 0.5 written as a literal (as the Numba peer does): a constant exponent
# lowers to sqrt and the loop vectorizes; a run-time c1 makes every term a scalar pow call,
# about 7x slower today (see the report).
kernel loglik_half(I: f64[], I0: f64[], mu: f64[], jind: i64[], c0: f64) -> f64 {
    var ell = 0.0
    parallel for i in 0..<len(jind) - 1 {
        let m_i = mu[i]
        for j in jind[i]..<jind[i + 1] {
            let m = m_i * I0[j]
            let s = c0 * m**0.5
            ell += log(s) + 0.5*((I[j] - m)/s)**2
        }
    }
    return ell
}
