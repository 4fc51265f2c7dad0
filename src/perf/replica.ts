import type { EngineOptions } from "./serving.js";

/**
 * Time of one engine iteration on one replica, from the same operator roofline and collectives as the
 * batch model: `tokens` new tokens in all (prefill chunks + one per decoding sequence), decode attention
 * over `decodeContext` cached positions in all, prefill attention work Σ chunk·(prior + chunk/2), and
 * `logitRows` rows through the LM head.
 */
export interface IterationModel {
  time(
    tokens: number,
    decodeContext: number,
    prefillWork: number,
    logitRows: number,
    hasDecode: boolean,
    hasPrefill: boolean,
  ): number;
}

/** A binary min-heap of (key, id) on typed arrays. */
class MinHeap {
  private keys: Float64Array;
  private ids: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(16, capacity));
    this.ids = new Int32Array(Math.max(16, capacity));
  }
  push(key: number, id: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const d = new Int32Array(this.size * 2);
      d.set(this.ids);
      this.ids = d;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.keys[p] ?? 0) <= key) break;
      this.keys[i] = this.keys[p] ?? 0;
      this.ids[i] = this.ids[p] ?? 0;
      i = p;
    }
    this.keys[i] = key;
    this.ids[i] = id;
  }
  peekKey(): number {
    return this.size > 0 ? (this.keys[0] ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  }
  peekId(): number {
    return this.ids[0] ?? -1;
  }
  pop(): void {
    const n = --this.size;
    const key = this.keys[n] ?? 0;
    const id = this.ids[n] ?? 0;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (this.keys[c + 1] ?? 0) < (this.keys[c] ?? 0)) c++;
      if ((this.keys[c] ?? 0) >= key) break;
      this.keys[i] = this.keys[c] ?? 0;
      this.ids[i] = this.ids[c] ?? 0;
      i = c;
    }
    this.keys[i] = key;
    this.ids[i] = id;
  }
}

const WAITING = 0;
const PREFILL = 1;
const DECODE = 2;
const DONE = 3;

export interface ReplicaOutcome {
  readonly makespanS: number;
  readonly preemptions: number;
  readonly iterations: number;
  readonly kvBlockSeconds: number;
}

/** What one replica serves and where it records each request's first token and completion. */
export interface ReplicaInput {
  /** Request ids (indices into the arrays below) this replica serves, in arrival order. */
  readonly ids: Int32Array;
  readonly arrival: Float64Array;
  readonly input: Int32Array;
  readonly output: Int32Array;
  readonly model: IterationModel;
  readonly engine: EngineOptions;
  readonly totalBlocks: number;
  readonly firstToken: Float64Array;
  readonly finish: Float64Array;
  /** Disaggregated decode pool: prompts arrive with their KV cache and first token already made. */
  readonly prefilledOnArrival: boolean;
}

/**
 * One replica simulated iteration by iteration (continuous batching with a paged KV cache). Each
 * iteration decodes one token for every running sequence and, within the token budget, prefills admitted
 * prompts: in chunks beside decoding (chunked prefill), whole beside decoding (in-flight batching), or
 * whole in prefill-only iterations that pause decoding. A prompt is admitted when its KV blocks are free
 * (and, with `reserve` admission, those of its whole output too); when decoding sequences need a new
 * block and none is free, the most recently admitted sequence is preempted (blocks freed, prompt and
 * generated tokens recomputed later). Decoding sequences advance in lockstep, so progress is kept as a
 * shared decode clock and per-sequence start ticks: an iteration costs O(log n), not O(batch).
 */
class Replica {
  private readonly n: number;
  private readonly B: number;
  private readonly state: Uint8Array;
  /** Tokens to prefill: the prompt, plus generated tokens after a preemption. */
  private readonly prompt: Int32Array;
  private readonly prefilled: Int32Array;
  private readonly generated: Int32Array;
  /** Cached positions when decoding (re)started. */
  private readonly ctx0: Int32Array;
  /** Decode-clock tick when decoding (re)started. */
  private readonly start: Float64Array;
  private readonly finishTick: Float64Array;
  /** KV blocks held. */
  private readonly held: Int32Array;
  private readonly chunk: Int32Array;
  /** Waiting queue: FIFO ring buffer; preempted sequences re-enter at the front. */
  private readonly cap: number;
  private readonly queue: Int32Array;
  private qHead = 0;
  private qLen = 0;
  private readonly prefilling: number[] = [];
  /** Admission order, for preemption (finished entries pruned lazily). */
  private readonly admitted: number[] = [];
  private readonly finishHeap: MinHeap;
  /** Decoding sequences by the tick residue at which they need a block. */
  private readonly phase: Int32Array;
  private decoding = 0;
  private decodeContext = 0;
  private clock = 0;
  private freeBlocks: number;
  private t = 0;
  private iter = 0;
  private next = 0;
  private done = 0;
  private preemptions = 0;
  private kvBlockSeconds = 0;
  /** Reserve admission: blocks promised to admitted sequences for their whole output (held or not yet). */
  private readonly reserve: boolean;
  private promised = 0;

  constructor(private readonly r: ReplicaInput) {
    const n = r.ids.length;
    this.n = n;
    this.B = r.engine.blockSize;
    this.state = new Uint8Array(n);
    this.prompt = new Int32Array(n);
    this.prefilled = new Int32Array(n);
    this.generated = new Int32Array(n);
    this.ctx0 = new Int32Array(n);
    this.start = new Float64Array(n);
    this.finishTick = new Float64Array(n);
    this.held = new Int32Array(n);
    this.chunk = new Int32Array(n);
    this.cap = n + 1;
    this.queue = new Int32Array(this.cap);
    this.finishHeap = new MinHeap(Math.min(n, r.engine.maxNumSeqs * 2));
    this.phase = new Int32Array(this.B);
    this.freeBlocks = r.totalBlocks;
    this.reserve = r.engine.admission === "reserve";
    for (let i = 0; i < n; i++) this.prompt[i] = this.inputOf(i);
    if (r.prefilledOnArrival) {
      for (let i = 0; i < n; i++) {
        this.prefilled[i] = this.prompt[i] ?? 0;
        this.generated[i] = 1;
      }
    }
  }

  private inputOf(i: number): number {
    return this.r.input[this.r.ids[i] ?? 0] ?? 1;
  }

  private outputOf(i: number): number {
    return this.r.output[this.r.ids[i] ?? 0] ?? 1;
  }

  private finalBlocks(i: number): number {
    return Math.ceil(
      (this.inputOf(i) + Math.max(this.outputOf(i), this.r.engine.maxOutputTokens ?? 0)) / this.B,
    );
  }

  private phaseOf(i: number): number {
    const B = this.B;
    return ((((this.start[i] ?? 0) - (this.ctx0[i] ?? 0)) % B) + B) % B;
  }

  private stopDecoding(i: number): void {
    this.decodeContext -= (this.ctx0[i] ?? 0) + (this.clock - (this.start[i] ?? 0));
    this.decoding--;
    const ph = this.phaseOf(i);
    this.phase[ph] = (this.phase[ph] ?? 0) - 1;
  }

  /** Free a sequence's KV blocks: its prompt blocks, or while decoding, those of its whole cached context. */
  private release(i: number): void {
    const blocks =
      this.state[i] === DECODE
        ? Math.ceil(((this.ctx0[i] ?? 0) + (this.clock - (this.start[i] ?? 0))) / this.B)
        : (this.held[i] ?? 0);
    this.freeBlocks += blocks;
    this.held[i] = 0;
    if (this.reserve) this.promised -= this.finalBlocks(i);
  }

  /** Send the most recently admitted running sequence back to the front of the queue. */
  private preemptOne(): boolean {
    while (this.admitted.length > 0) {
      const i = this.admitted.pop() ?? -1;
      if (this.state[i] === DECODE) {
        this.generated[i] = (this.generated[i] ?? 0) + (this.clock - (this.start[i] ?? 0));
        this.stopDecoding(i);
      } else if (this.state[i] === PREFILL) this.prefilling.splice(this.prefilling.indexOf(i), 1);
      else continue;
      this.release(i);
      this.state[i] = WAITING;
      this.prompt[i] = this.inputOf(i) + (this.generated[i] ?? 0);
      this.prefilled[i] = 0;
      this.qHead = (this.qHead - 1 + this.cap) % this.cap;
      this.queue[this.qHead] = i;
      this.qLen++;
      this.preemptions++;
      return true;
    }
    return false;
  }

  run(): ReplicaOutcome {
    const { arrival, ids } = this.r;
    while (this.done < this.n) {
      while (this.next < this.n && (arrival[ids[this.next] ?? 0] ?? 0) <= this.t) {
        this.queue[(this.qHead + this.qLen) % this.cap] = this.next++;
        this.qLen++;
      }
      if (this.decoding === 0 && this.prefilling.length === 0 && this.qLen === 0) {
        if (this.next >= this.n) throw new Error("serving simulation stalled with requests unfinished");
        this.t = arrival[ids[this.next] ?? 0] ?? this.t;
        continue;
      }
      const need = this.blocksForDecoding();
      this.admit(need);
      if (this.decoding === 0 && this.prefilling.length === 0) {
        throw new Error(
          "serving simulation stalled: a waiting request cannot be admitted to an empty replica",
        );
      }
      this.iterate(need);
      this.pruneAdmitted();
    }
    return {
      makespanS: this.t,
      preemptions: this.preemptions,
      iterations: this.iter,
      kvBlockSeconds: this.kvBlockSeconds,
    };
  }

  /** Blocks the decoding sequences whose last block is full need this iteration, preempting until they fit. */
  private blocksForDecoding(): number {
    const needed = () => (this.decoding > 0 ? (this.phase[this.clock % this.B] ?? 0) : 0);
    let need = needed();
    while (need > this.freeBlocks && this.preemptOne()) need = needed();
    return need;
  }

  /** Admit waiting prompts while sequences, KV blocks (and, without chunking, the token budget) allow. */
  private admit(need: number): void {
    const { engine, totalBlocks } = this.r;
    const { prompt, prefilled } = this;
    let seqs = this.decoding + this.prefilling.length;
    const wholeBudget = engine.maxBatchedTokens - (engine.mixedPrefill ? this.decoding : 0);
    let promptTokens = 0;
    for (const i of this.prefilling) promptTokens += (prompt[i] ?? 0) - (prefilled[i] ?? 0);
    while (this.qLen > 0 && seqs < engine.maxNumSeqs) {
      const i = this.queue[this.qHead] ?? 0;
      const blocks = Math.ceil((prompt[i] ?? 1) / this.B);
      if (blocks > this.freeBlocks - need) break;
      if (this.reserve && this.finalBlocks(i) > totalBlocks - this.promised) break;
      // Whole prompts: they fit the iteration's token budget (beside the decoding tokens when mixed),
      // or one goes alone.
      if (!engine.chunkedPrefill && seqs > this.decoding && promptTokens + (prompt[i] ?? 0) > wholeBudget)
        break;
      this.qHead = (this.qHead + 1) % this.cap;
      this.qLen--;
      this.state[i] = PREFILL;
      this.held[i] = blocks;
      this.freeBlocks -= blocks;
      if (this.reserve) this.promised += this.finalBlocks(i);
      this.prefilling.push(i);
      this.admitted.push(i);
      promptTokens += prompt[i] ?? 0;
      seqs++;
    }
  }

  /** Run one iteration: decode a token for every decoding sequence and prefill this iteration's chunks. */
  private iterate(need: number): void {
    const { engine } = this.r;
    const { prompt, prefilled, chunk } = this;
    const prefillOnly = !engine.chunkedPrefill && !engine.mixedPrefill && this.prefilling.length > 0;
    const decodeNow = prefillOnly ? 0 : this.decoding;
    let budget = engine.chunkedPrefill ? engine.maxBatchedTokens - decodeNow : Number.POSITIVE_INFINITY;
    let prefillTokens = 0;
    let prefillWork = 0;
    let completing = 0;
    for (const i of this.prefilling) {
      const rest = (prompt[i] ?? 0) - (prefilled[i] ?? 0);
      const c = Math.max(0, Math.min(rest, budget));
      chunk[i] = c;
      budget -= c;
      prefillWork += c * ((prefilled[i] ?? 0) + c / 2);
      prefillTokens += c;
      if (c === rest && c > 0) completing++;
    }
    const dt = this.r.model.time(
      prefillTokens + decodeNow,
      decodeNow > 0 ? this.decodeContext : 0,
      prefillWork,
      decodeNow + completing,
      decodeNow > 0,
      prefillTokens > 0,
    );
    this.kvBlockSeconds += (this.r.totalBlocks - this.freeBlocks) * dt;
    this.t += dt;
    this.iter++;
    if (decodeNow > 0) this.finishDecodes(need);
    if (this.prefilling.length > 0) this.advancePrefills();
  }

  /** The decode step took its blocks and advanced the clock: retire sequences that wrote their last token. */
  private finishDecodes(need: number): void {
    const { state, finishTick, finishHeap } = this;
    this.freeBlocks -= need;
    this.decodeContext += this.decoding;
    this.clock++;
    while (finishHeap.size > 0 && finishHeap.peekKey() <= this.clock) {
      const i = finishHeap.peekId();
      const key = finishHeap.peekKey();
      finishHeap.pop();
      if (state[i] !== DECODE || key !== finishTick[i]) continue; // stale: preempted since
      this.release(i);
      this.stopDecoding(i);
      state[i] = DONE;
      this.generated[i] = this.outputOf(i);
      this.r.finish[this.r.ids[i] ?? 0] = this.t;
      this.done++;
    }
  }

  /** Credit the prefill chunks; a completed prompt yields a token and starts decoding (or finishes). */
  private advancePrefills(): void {
    const { prompt, prefilled, generated, chunk, state } = this;
    let w = 0;
    for (const i of this.prefilling) {
      prefilled[i] = (prefilled[i] ?? 0) + (chunk[i] ?? 0);
      if ((prefilled[i] ?? 0) < (prompt[i] ?? 0)) {
        this.prefilling[w++] = i;
        continue;
      }
      // Prefill complete: it yields the next output token (the first one sets the time to first token).
      // A prompt that arrived prefilled (disaggregated decode pool) did no work and yields nothing new.
      const id = this.r.ids[i] ?? 0;
      if ((chunk[i] ?? 0) > 0) {
        if ((generated[i] ?? 0) === 0) this.r.firstToken[id] = this.t;
        generated[i] = (generated[i] ?? 0) + 1;
      }
      const out = this.outputOf(i);
      if ((generated[i] ?? 0) >= out) {
        state[i] = DONE;
        this.r.finish[id] = this.t;
        this.release(i);
        this.done++;
        continue;
      }
      state[i] = DECODE;
      this.ctx0[i] = prompt[i] ?? 0;
      this.start[i] = this.clock;
      this.finishTick[i] = this.clock + (out - (generated[i] ?? 0));
      this.decoding++;
      this.decodeContext += this.ctx0[i] ?? 0;
      const ph = this.phaseOf(i);
      this.phase[ph] = (this.phase[ph] ?? 0) + 1;
      this.finishHeap.push(this.finishTick[i] ?? 0, i);
    }
    this.prefilling.length = w;
  }

  /** Drop finished sequences from the admission order now and then. */
  private pruneAdmitted(): void {
    if (this.admitted.length <= 4 * this.r.engine.maxNumSeqs + 1024) return;
    let w = 0;
    for (const i of this.admitted)
      if (this.state[i] === DECODE || this.state[i] === PREFILL) this.admitted[w++] = i;
    this.admitted.length = w;
  }
}

/** Simulate one replica; see `Replica`. */
export function simulateReplica(r: ReplicaInput): ReplicaOutcome {
  return new Replica(r).run();
}
