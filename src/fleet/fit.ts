import { percentiles } from "./percentiles.js";

/**
 * Fit the job generator's inputs to a job trace: per tenant and size class, the Poisson arrival rate and
 * the lognormal run-time distribution (maximum likelihood), so synthetic workloads follow a measured
 * trace's statistics (Philly, Helios, Acme and PAI publish traces with these columns).
 */

/** One job of a trace (seconds). */
export interface TraceRow {
  readonly tenant: string;
  readonly submitS: number;
  readonly accelerators: number;
  readonly durationS: number;
}

/** One fitted stream: the jobs of a tenant within one size class. */
export interface FittedStream {
  /** Sizes in the class with their counts as weights. */
  readonly sizes: readonly { readonly accelerators: number; readonly weight: number }[];
  readonly jobs: number;
  /** Arrivals per day over the trace's span. */
  readonly perDay: number;
  /** Lognormal run time: exp(mean of ln hours) and the standard deviation of ln hours. */
  readonly medianHours: number;
  readonly sigma: number;
  /**
   * Daily cycle of submissions (first harmonic of the hour of day, by the method of moments: for a rate
   * ∝ 1 + a·cos(θ − φ), E[cos θ] = (a/2)·cos φ and E[sin θ] = (a/2)·sin φ): amplitude a (capped at 1)
   * and the hour of the peak.
   */
  readonly amplitude: number;
  readonly peakHour: number;
  /** The trace's own mean and p90 run time beside the fitted lognormal's (how well it fits the tail). */
  readonly traceMeanHours: number;
  readonly traceP90Hours: number;
  readonly fitMeanHours: number;
  readonly fitP90Hours: number;
}

export interface TraceFit {
  /** Days the trace spans (or the span given). */
  readonly days: number;
  readonly tenants: readonly {
    readonly name: string;
    readonly jobs: number;
    readonly acceleratorHours: number;
    readonly streams: readonly FittedStream[];
  }[];
}

/** z of the standard normal's 90th percentile. */
const Z90 = 1.2815515655446004;
/** Run times below a second are taken as a second (a lognormal has no zero). */
const MIN_S = 1;

/**
 * The size class of a job: exact sizes when a tenant uses at most `exactUpTo` distinct sizes, else
 * powers of two (a class holds the sizes in (2^(k−1), 2^k]).
 */
function sizeClass(accelerators: number, exact: boolean): number {
  return exact ? accelerators : 2 ** Math.ceil(Math.log2(Math.max(1, accelerators)));
}

export function fitTrace(
  rows: readonly TraceRow[],
  opts: { readonly days?: number; readonly exactUpTo?: number } = {},
): TraceFit {
  if (rows.length === 0) return { days: opts.days ?? 0, tenants: [] };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    first = Math.min(first, r.submitS);
    last = Math.max(last, r.submitS);
  }
  // For n Poisson arrivals observed from the first to the last, n−1 gaps span the window: scale by n/(n−1).
  const n = rows.length;
  const spanS = n > 1 ? ((last - first) * n) / (n - 1) : 86_400;
  const days = opts.days ?? Math.max(spanS, 1) / 86_400;
  const byTenant = new Map<string, TraceRow[]>();
  for (const r of rows) {
    const list = byTenant.get(r.tenant);
    if (list === undefined) byTenant.set(r.tenant, [r]);
    else list.push(r);
  }
  const exactUpTo = opts.exactUpTo ?? 12;
  const tenants = [...byTenant.entries()].map(([name, jobs]) => {
    const exact = new Set(jobs.map((j) => j.accelerators)).size <= exactUpTo;
    const classes = new Map<number, TraceRow[]>();
    for (const j of jobs) {
      const c = sizeClass(j.accelerators, exact);
      const list = classes.get(c);
      if (list === undefined) classes.set(c, [j]);
      else list.push(j);
    }
    const streams = [...classes.entries()].sort((a, b) => a[0] - b[0]).map(([, js]) => fitStream(js, days));
    const acceleratorHours = jobs.reduce((s, j) => s + (j.accelerators * j.durationS) / 3600, 0);
    return { name, jobs: jobs.length, acceleratorHours, streams };
  });
  return { days, tenants };
}

function fitStream(jobs: readonly TraceRow[], days: number): FittedStream {
  const counts = new Map<number, number>();
  for (const j of jobs) counts.set(j.accelerators, (counts.get(j.accelerators) ?? 0) + 1);
  const hours = jobs.map((j) => Math.max(MIN_S, j.durationS) / 3600);
  const logs = hours.map((h) => Math.log(h));
  const mu = logs.reduce((s, x) => s + x, 0) / logs.length;
  const sigma = Math.sqrt(logs.reduce((s, x) => s + (x - mu) ** 2, 0) / logs.length);
  let c = 0;
  let sn = 0;
  for (const j of jobs) {
    const theta = (2 * Math.PI * j.submitS) / 86_400;
    c += Math.cos(theta);
    sn += Math.sin(theta);
  }
  c /= jobs.length;
  sn /= jobs.length;
  const amplitude = Math.min(1, 2 * Math.hypot(c, sn));
  const peakHour = ((((Math.atan2(sn, c) * 24) / (2 * Math.PI)) % 24) + 24) % 24;
  return {
    sizes: [...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([accelerators, weight]) => ({ accelerators, weight })),
    jobs: jobs.length,
    perDay: days > 0 ? jobs.length / days : 0,
    medianHours: Math.exp(mu),
    sigma,
    amplitude,
    peakHour,
    traceMeanHours: hours.reduce((s, x) => s + x, 0) / hours.length,
    traceP90Hours: percentiles(hours).p90,
    fitMeanHours: Math.exp(mu + (sigma * sigma) / 2),
    fitP90Hours: Math.exp(mu + Z90 * sigma),
  };
}
