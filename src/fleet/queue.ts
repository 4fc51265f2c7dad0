import type { Job } from "./job.js";

/** Priority levels a job's priority is rounded into (0 lowest). */
export const LEVELS = 4;

/** A FIFO queue with cheap re-insertion at the front (interrupted jobs keep their place). */
export class Queue {
  private back: Job[] = [];
  private headAt = 0;
  private front: Job[] = [];
  push(j: Job): void {
    this.back.push(j);
  }
  pushFront(j: Job): void {
    this.front.push(j);
  }
  peek(): Job | undefined {
    return this.front.length > 0 ? this.front[this.front.length - 1] : this.back[this.headAt];
  }
  /** Remove `j`: usually the head (a fast path), anywhere otherwise. */
  take(j: Job): void {
    if (this.front.length > 0 && this.front[this.front.length - 1] === j) this.front.pop();
    else if (this.front.length === 0 && this.back[this.headAt] === j) this.shift();
    else this.remove(j);
  }
  shift(): void {
    if (this.front.length > 0) this.front.pop();
    else {
      this.headAt++;
      if (this.headAt > 1024 && this.headAt * 2 > this.back.length) {
        this.back = this.back.slice(this.headAt);
        this.headAt = 0;
      }
    }
  }
  remove(j: Job): void {
    const f = this.front.indexOf(j);
    if (f >= 0) {
      this.front.splice(f, 1);
      return;
    }
    const b = this.back.indexOf(j, this.headAt);
    if (b >= 0) this.back.splice(b, 1);
  }
  get length(): number {
    return this.front.length + this.back.length - this.headAt;
  }
  /** Call `f` on queued jobs in order until it returns false or `limit` jobs were seen; returns how many. */
  scan(limit: number, f: (j: Job) => boolean): number {
    let n = 0;
    for (let i = this.front.length - 1; i >= 0 && n < limit; i--) {
      n++;
      if (!f(this.front[i] as Job)) return n;
    }
    for (let i = this.headAt; i < this.back.length && n < limit; i++) {
      n++;
      if (!f(this.back[i] as Job)) return n;
    }
    return n;
  }
  /** Every queued job (for audits). */
  items(): Job[] {
    return [...this.front, ...this.back.slice(this.headAt)];
  }
}
