/**
 * The discrete-event kernel: a binary min-heap on (time, sequence) holding callbacks. Events at the same
 * time run in the order they were scheduled, so a run is deterministic. No wall clock: time is whatever
 * the simulation says it is (seconds).
 */
export type Handler = () => void;

export class EventQueue {
  private times: number[] = [];
  private seqs: number[] = [];
  private fns: Handler[] = [];
  private seq = 0;
  /** Current simulated time, s. */
  now = 0;
  /** Events run so far. */
  processed = 0;

  get size(): number {
    return this.times.length;
  }

  /** Run `fn` at absolute time `t` (never before now). */
  at(t: number, fn: Handler): void {
    const time = Math.max(t, this.now);
    const s = this.seq++;
    const ts = this.times;
    const ss = this.seqs;
    const fs = this.fns;
    let i = ts.length;
    ts.push(time);
    ss.push(s);
    fs.push(fn);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ts[p] as number;
      if (pt < time || (pt === time && (ss[p] as number) < s)) break;
      ts[i] = pt;
      ss[i] = ss[p] as number;
      fs[i] = fs[p] as Handler;
      i = p;
    }
    ts[i] = time;
    ss[i] = s;
    fs[i] = fn;
  }

  /** Run `fn` after `dt` seconds. */
  after(dt: number, fn: Handler): void {
    this.at(this.now + dt, fn);
  }

  /** Remove and return the earliest event, or null. */
  private pop(): Handler | null {
    const ts = this.times;
    const ss = this.seqs;
    const fs = this.fns;
    const n = ts.length;
    if (n === 0) return null;
    const top = fs[0] as Handler;
    this.now = ts[0] as number;
    const lt = ts.pop() as number;
    const ls = ss.pop() as number;
    const lf = fs.pop() as Handler;
    const m = n - 1;
    if (m > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        let c = l;
        if (r < m) {
          const rt = ts[r] as number;
          const lt2 = ts[l] as number;
          if (rt < lt2 || (rt === lt2 && (ss[r] as number) < (ss[l] as number))) c = r;
        }
        const ct = ts[c] as number;
        if (lt < ct || (lt === ct && ls < (ss[c] as number))) break;
        ts[i] = ct;
        ss[i] = ss[c] as number;
        fs[i] = fs[c] as Handler;
        i = c;
      }
      ts[i] = lt;
      ss[i] = ls;
      fs[i] = lf;
    }
    return top;
  }

  /**
   * Run events in order until none is left or the next is after `until`; then time stands at `until`.
   * `progress` is called every `every` events with the current time.
   */
  run(until: number, progress?: (now: number) => void, every = 65_536): void {
    for (;;) {
      if (this.times.length === 0 || (this.times[0] as number) > until) break;
      const fn = this.pop();
      if (fn === null) break;
      this.processed++;
      fn();
      if (progress !== undefined && this.processed % every === 0) progress(this.now);
    }
    if (this.now < until) this.now = until;
  }
}
