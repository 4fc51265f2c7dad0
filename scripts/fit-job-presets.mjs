#!/usr/bin/env node
// Solves the job presets of src/catalog/data/job-presets.ts from the statements they cite
// (../shared/reference/workloads.json clusterTraces) and the assumptions they name. Prints each
// preset's per-class figures; copy them into the catalog (test/fleet/presets.test.ts samples the
// presets and checks the statements again). Run: node scripts/fit-job-presets.mjs
//
// The generator: a job's class by share, its size from the class's mix, its run time to completion
// T ~ lognormal(median m_c, sigma), its outcome by the class's shares; a failed job runs min(failAt·T,
// cap), a cancelled one min(cancelAt·T, cap), a completed one min(T, cap).

const erf = (x) => {
  // Abramowitz & Stegun 7.1.26 is too coarse for a solve; use the complementary series/continued fraction.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
};
const Phi = (z) => 0.5 * (1 + erf(z / Math.SQRT2));
/** E[min(X, c)] for X lognormal(mu, sigma). */
const capMean = (mu, s, c) =>
  Math.exp(mu + (s * s) / 2) * Phi((Math.log(c) - mu - s * s) / s) + c * (1 - Phi((Math.log(c) - mu) / s));
const mean = (sizes) => sizes.reduce((a, [n, w]) => a + n * w, 0) / sizes.reduce((a, [, w]) => a + w, 0);

/** Moments of a preset: classes [{p, sizes, lm (ln median s), f, x}], sigma, phi, psi, cap (s). */
function moments(cl, sg, phi, psi, cap) {
  let dur = 0;
  let gpu = 0;
  const byClass = [];
  const byOutcome = { completed: 0, failed: 0, cancelled: 0 };
  for (const c of cl) {
    const sb = mean(c.sizes);
    const parts = [
      ["completed", 1 - c.f - c.x, 0],
      ["failed", c.f, Math.log(phi)],
      ["cancelled", c.x, Math.log(psi)],
    ];
    let g = 0;
    for (const [o, q, lk] of parts) {
      const m = capMean(c.lm + lk, sg, cap);
      dur += c.p * q * m;
      g += c.p * sb * q * m;
      byOutcome[o] += c.p * sb * q * m;
    }
    gpu += g;
    byClass.push(g);
  }
  const cdf = (t) =>
    cl.reduce(
      (a, c) =>
        a +
        c.p *
          ((1 - c.f - c.x) * Phi((Math.log(t) - c.lm) / sg) +
            c.f * Phi((Math.log(t) - c.lm - Math.log(phi)) / sg) +
            c.x * Phi((Math.log(t) - c.lm - Math.log(psi)) / sg)),
      0,
    );
  return {
    dur,
    gpu,
    byClass: byClass.map((g) => g / gpu),
    byOutcome: Object.fromEntries(Object.entries(byOutcome).map(([k, v]) => [k, v / gpu])),
    cdf,
  };
}

function newton(f, x0) {
  let x = x0.slice();
  for (let it = 0; it < 200; it++) {
    const fx = f(x);
    if (Math.max(...fx.map(Math.abs)) < 1e-12) break;
    const n = x.length;
    const A = [];
    for (let k = 0; k < n; k++) A.push(new Array(n + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const h = 1e-7 * Math.max(1, Math.abs(x[i]));
      const xp = x.slice();
      xp[i] += h;
      const fp = f(xp);
      for (let k = 0; k < n; k++) A[k][i] = (fp[k] - fx[k]) / h;
    }
    for (let k = 0; k < n; k++) A[k][n] = -fx[k];
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
      [A[c], A[p]] = [A[p], A[c]];
      for (let r = 0; r < n; r++) {
        if (r === c) continue;
        const m = A[r][c] / A[c][c];
        for (let k = c; k <= n; k++) A[r][k] -= m * A[c][k];
      }
    }
    const dx = A.map((r, i) => r[n] / r[i]);
    // Damped: never more than a unit step in any (log) parameter.
    const s = Math.min(1, 1 / Math.max(...dx.map(Math.abs)));
    x = x.map((v, i) => v + s * dx[i]);
  }
  const res = f(x);
  if (Math.max(...res.map(Math.abs)) > 1e-8) throw new Error(`no solution: residuals ${res}`);
  return x;
}

const r4 = (x) => Number(x.toPrecision(4));
const logistic = (u) => 1 / (1 + Math.exp(-u));

// ---- Acme Seren (AcmeTrace cluster_summary.csv; Hu et al. NSDI'24 §3)
const seren = (() => {
  const S = {
    med: 122,
    mean: 1414.335,
    gpu: (4560592618 + 14274584510 + 2675447459) / 663813,
    fail: 0.429,
    cancel: 0.075,
    failT: 0.124,
    cancelT: 0.664,
    ptJobs: 0.009,
    ptT: 0.695,
    gpus: 5.68,
  };
  const sizes = {
    eval: [
      [1, 0.65],
      [2, 0.1],
      [4, 0.15],
      [8, 0.1],
    ],
    finetune: [
      [8, 0.5],
      [16, 0.25],
      [32, 0.15],
      [64, 0.1],
    ],
    pretrain: [
      [64, 0.2],
      [128, 0.2],
      [256, 0.3],
      [512, 0.2],
      [1024, 0.1],
    ],
  };
  // Class shares from the mean GPUs per job (pretraining's share is stated).
  const f =
    (S.gpus - S.ptJobs * mean(sizes.pretrain) - (1 - S.ptJobs) * mean(sizes.eval)) /
    (mean(sizes.finetune) - mean(sizes.eval));
  const p = { eval: 1 - S.ptJobs - f, finetune: f, pretrain: S.ptJobs };
  const cap = 1209604;
  const build = (x) => {
    const [sg, le, lf, lp, lphi, uqfp] = x;
    const qfp = logistic(uqfp);
    const qfn = (S.fail - S.ptJobs * qfp) / (1 - S.ptJobs);
    const qxn = (S.cancel - S.ptJobs * (1 - qfp)) / (1 - S.ptJobs);
    const cl = [
      { kind: "eval", p: p.eval, sizes: sizes.eval, lm: le, f: qfn, x: qxn },
      { kind: "finetune", p: p.finetune, sizes: sizes.finetune, lm: lf, f: qfn, x: qxn },
      // Pretraining jobs end failed or cancelled (assumption).
      { kind: "pretrain", p: p.pretrain, sizes: sizes.pretrain, lm: lp, f: qfp, x: 1 - qfp },
    ];
    return { cl, sg, phi: Math.exp(lphi), psi: 1, cap };
  };
  const eq = (x) => {
    const b = build(x);
    const m = moments(b.cl, b.sg, b.phi, b.psi, b.cap);
    return [
      Math.log(m.dur / S.mean),
      Math.log(m.gpu / S.gpu),
      m.cdf(S.med) - 0.5,
      m.byClass[2] - S.ptT,
      m.byOutcome.failed - S.failT,
      m.byOutcome.cancelled - S.cancelT,
    ];
  };
  const x = newton(eq, [2.02, Math.log(175), Math.log(2150), Math.log(1170), Math.log(0.35), -1.3]);
  return build(x);
})();

// ---- Meta RSC-1 (Kokolis et al. HPCA'25): Seren's run-time shape scaled to the stated utilisation.
const rsc = (() => {
  const sizes = {
    eval: [
      [1, 0.5],
      [2, 0.25],
      [4, 0.25],
    ],
    finetune: [
      [8, 0.4],
      [16, 0.25],
      [32, 0.15],
      [64, 0.1],
      [128, 0.1],
    ],
    pretrain: [
      [256, 0.4],
      [512, 0.3],
      [1024, 0.2],
      [2048, 0.07],
      [4096, 0.03],
    ],
  };
  const e = 0.92;
  const fail = 0.248;
  const cancel = 0.032;
  const cap = 7 * 86400;
  const lm = Object.fromEntries(seren.cl.map((c) => [c.kind, c.lm]));
  const build = ([k, uL]) => {
    const L = (1 - e) * logistic(uL);
    const cl = [
      { kind: "eval", p: e, sizes: sizes.eval, lm: lm.eval + k, f: fail, x: cancel },
      { kind: "finetune", p: 1 - e - L, sizes: sizes.finetune, lm: lm.finetune + k, f: fail, x: cancel },
      { kind: "pretrain", p: L, sizes: sizes.pretrain, lm: lm.pretrain + k, f: fail, x: cancel },
    ];
    return { cl, sg: seren.sg, phi: seren.phi, psi: 1, cap, scale: Math.exp(k) };
  };
  const eq = (x) => {
    const b = build(x);
    const m = moments(b.cl, b.sg, b.phi, b.psi, b.cap);
    return [m.byClass[2] - 0.66, Math.log((7200 * m.gpu) / (0.83 * 16000 * 86400))];
  };
  return build(newton(eq, [0.73, -2]));
})();

// ---- Microsoft Philly (AcmeTrace cluster_summary.csv; Jeon et al. ATC'19)
const philly = (() => {
  const S = {
    med: 874,
    mean: 18006.055,
    gpu: (2210176414 + 2025326056 + 2659215061) / 112956,
    fail: 0.305,
    cancel: 0.09,
    failT: 0.386,
    cancelT: 0.294,
    gpus: 1.928,
  };
  const multi = [
    [2, 0.3],
    [4, 0.3],
    [8, 0.3],
    [16, 0.05],
    [32, 0.03],
    [64, 0.015],
    [128, 0.005],
  ];
  const a = (mean(multi) - S.gpus) / (mean(multi) - 1);
  const cap = 4240676;
  const build = ([sg, l1, l2, lphi, lpsi]) => ({
    cl: [
      { kind: "eval", p: a, sizes: [[1, 1]], lm: l1, f: S.fail, x: S.cancel },
      { kind: "finetune", p: 1 - a, sizes: multi, lm: l2, f: S.fail, x: S.cancel },
    ],
    sg,
    phi: Math.exp(lphi),
    psi: Math.exp(lpsi),
    cap,
  });
  const eq = (x) => {
    const b = build(x);
    const m = moments(b.cl, b.sg, b.phi, b.psi, b.cap);
    return [
      Math.log(m.dur / S.mean),
      Math.log(m.gpu / S.gpu),
      m.cdf(S.med) - 0.5,
      m.byOutcome.failed - S.failT,
      m.byOutcome.cancelled - S.cancelT,
    ];
  };
  return build(newton(eq, [2.3, Math.log(480), Math.log(1680), Math.log(2.4), Math.log(6.2)]));
})();

for (const [id, b] of Object.entries({ "acme-seren": seren, "meta-rsc": rsc, philly })) {
  console.log(
    `${id}: sigma ${r4(b.sg)}, failAt ${r4(b.phi)}, cancelAt ${r4(b.psi)}${b.scale ? `, run-time scale over Seren ${r4(b.scale)}` : ""}`,
  );
  for (const c of b.cl)
    console.log(
      `  ${c.kind.padEnd(8)} share ${r4(c.p)}  medianHours ${r4(Math.exp(c.lm) / 3600)}  fail ${r4(c.f)}  cancel ${r4(c.x)}`,
    );
}
