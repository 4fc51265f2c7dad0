import type { Accelerator, Assumptions, HbmGeneration } from "../catalog/index.js";
import type { ServingCapacity, TrainingSizing } from "../perf/capacity.js";
import {
  acceleratorEnergyWithinTdp,
  type EnergyParts,
  type EnergyShares,
  energyOf,
  energyRates,
  servingTokenTraffic,
  sharesOf,
  sumParts,
  trainingStepTraffic,
} from "../perf/energy.js";
import { trainingJob } from "../perf/job.js";
import type { InferenceDemand, TrainingDemand } from "./plan.js";

/** Energy of one training run by part, and of a million served tokens, from the bytes and FLOPs the performance model moves. */
export interface EnergyOutcome {
  /** Tokens-per-day-weighted over the services at the plan's end (null: no service meets its SLO). */
  readonly kwhPerMillionTokens: number | null;
  /** The plan's first training run (null: none fits). */
  readonly mwhPerTrainingRun: number | null;
  /** Shares of the plan's energy by part: every training run plus a year of serving at the final rate. */
  readonly shares: EnergyShares;
  readonly runs: readonly {
    readonly name: string;
    readonly mwh: number;
    readonly shares: EnergyShares;
    /** Top-down: accelerators × kW × training load factor × PUE × hours (the plan's energy column). */
    readonly topDownMwh: number;
    /** Compute + HBM + static power within TDP × time. */
    readonly withinTdp: boolean;
  }[];
  readonly services: readonly {
    readonly name: string;
    readonly kwhPerMillionTokens: number;
    readonly shares: EnergyShares;
    readonly withinTdp: boolean;
  }[];
  /** The same with the HBM's pJ/bit halved (a what-if for a more efficient generation). */
  readonly hbmWhatIf: {
    readonly pjPerBit: number;
    readonly kwhPerMillionTokens: number | null;
    readonly mwhPerTrainingRun: number | null;
  };
  readonly hbmPjPerBit: number;
}

export interface EnergyInput {
  readonly acc: Accelerator;
  readonly generation: HbmGeneration;
  readonly kwPerAccelerator: number;
  readonly pue: number;
  readonly a: Assumptions;
  readonly training: readonly { readonly t: TrainingDemand; readonly sizing: TrainingSizing }[];
  readonly inference: readonly { readonly d: InferenceDemand; readonly cap: ServingCapacity | null }[];
  /** Each service's output tokens a day at the plan's end. */
  readonly tokensPerDayAtEnd: readonly number[];
}

const scale = (p: EnergyParts, k: number): EnergyParts => ({
  compute: p.compute * k,
  hbm: p.hbm * k,
  network: p.network * k,
  other: p.other * k,
  facility: p.facility * k,
});
const add = (x: EnergyParts, y: EnergyParts): EnergyParts => ({
  compute: x.compute + y.compute,
  hbm: x.hbm + y.hbm,
  network: x.network + y.network,
  other: x.other + y.other,
  facility: x.facility + y.facility,
});
const ZERO: EnergyParts = { compute: 0, hbm: 0, network: 0, other: 0, facility: 0 };

/** Each run's and each service's energy at the given HBM pJ/bit (the generation's figure or the assumption). */
function decompose(e: EnergyInput, hbmPjPerBit: number) {
  const runs = e.training.flatMap(({ t, sizing }) => {
    const r = sizing.result;
    if (!r.fits) return [];
    const job = trainingJob({
      model: t.model,
      accelerator: e.acc,
      seqLen: t.seqLen,
      globalBatch: t.globalBatch,
      precision: t.precision,
      gpus: sizing.gpus,
      tokens: t.tokens,
    });
    const rates = {
      ...energyRates(e.acc, e.generation, t.precision, e.kwPerAccelerator, e.a, e.a.trainingLoadFactor),
      hbmPjPerBit,
    };
    const traffic = trainingStepTraffic(job, r);
    const step = energyOf(traffic, rates, e.pue);
    const steps = (sizing.days * 86_400) / r.stepTimeS;
    const parts = scale(step, sizing.gpus * steps);
    return [
      {
        name: t.name,
        parts,
        mwh: sumParts(parts) / 3.6e9,
        topDownMwh:
          (sizing.gpus * e.kwPerAccelerator * e.a.trainingLoadFactor * e.pue * sizing.days * 24) / 1000,
        withinTdp: acceleratorEnergyWithinTdp(step, rates, traffic.seconds),
      },
    ];
  });
  const services = e.inference.flatMap(({ d, cap }, i) => {
    if (cap === null) return [];
    const rates = {
      ...energyRates(
        e.acc,
        e.generation,
        d.precision === "int4" ? "bf16" : d.precision,
        e.kwPerAccelerator,
        e.a,
        e.a.inferenceLoadFactor,
      ),
      hbmPjPerBit,
    };
    const traffic = servingTokenTraffic(
      d.model,
      d.precision,
      d.inputTokens,
      d.outputTokens,
      cap,
      e.acc.scaleUp.domainSize,
      e.a.peakToMeanLoad,
    );
    const perToken = energyOf(traffic, rates, e.pue);
    const parts = scale(perToken, 1e6);
    return [
      {
        name: d.name,
        parts,
        kwhPerMillionTokens: sumParts(parts) / 3.6e6,
        tokensPerDay: e.tokensPerDayAtEnd[i] ?? 0,
        withinTdp: acceleratorEnergyWithinTdp(perToken, rates, traffic.seconds / e.a.peakToMeanLoad),
      },
    ];
  });
  const weight = services.reduce((s, x) => s + x.tokensPerDay, 0);
  const kwhPerMillionTokens =
    services.length === 0
      ? null
      : weight > 0
        ? services.reduce((s, x) => s + x.kwhPerMillionTokens * x.tokensPerDay, 0) / weight
        : (services[0]?.kwhPerMillionTokens ?? null);
  return { runs, services, kwhPerMillionTokens, mwhPerTrainingRun: runs[0]?.mwh ?? null };
}

/**
 * The plan's energy by part (compute, HBM, network, the rest of the server, facility), per training run
 * and per million served tokens, with the HBM share and a what-if at half the HBM pJ/bit.
 */
export function energyOutcome(e: EnergyInput): EnergyOutcome {
  const pj = e.generation.energyPjPerBit ?? e.a.hbmPjPerBit;
  const d = decompose(e, pj);
  const half = decompose(e, pj / 2);
  const year = d.services.reduce((s, x) => add(s, scale(x.parts, (x.tokensPerDay * 365) / 1e6)), ZERO);
  const all = d.runs.reduce((s, r) => add(s, r.parts), year);
  return {
    kwhPerMillionTokens: d.kwhPerMillionTokens,
    mwhPerTrainingRun: d.mwhPerTrainingRun,
    shares: sumParts(all) > 0 ? sharesOf(all) : ZERO,
    runs: d.runs.map((r) => ({
      name: r.name,
      mwh: r.mwh,
      shares: sharesOf(r.parts),
      topDownMwh: r.topDownMwh,
      withinTdp: r.withinTdp,
    })),
    services: d.services.map((x) => ({
      name: x.name,
      kwhPerMillionTokens: x.kwhPerMillionTokens,
      shares: sharesOf(x.parts),
      withinTdp: x.withinTdp,
    })),
    hbmWhatIf: {
      pjPerBit: pj / 2,
      kwhPerMillionTokens: half.kwhPerMillionTokens,
      mwhPerTrainingRun: half.mwhPerTrainingRun,
    },
    hbmPjPerBit: pj,
  };
}
