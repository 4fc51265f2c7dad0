import type { CollectiveCurve } from "../catalog/parts.js";
import type { Accelerator, MoeSpec } from "../catalog/types.js";
import { CALIBRATION } from "./calibration.js";
import { busBandwidthFraction } from "./parts.js";

/**
 * Collective communication over a two-level network: a scale-up domain (NVLink-class, `domainSize`
 * accelerators) and a scale-out network (a NIC per accelerator).
 *
 * Byte conventions: all-reduce — the buffer; all-gather — the gathered (output) size; reduce-scatter —
 * the input size; all-to-all — what one rank sends in total; p2p — the message.
 */
export type CollectiveKind = "all-reduce" | "all-gather" | "reduce-scatter" | "all-to-all" | "p2p";

/** A link as a collective sees it: effective one-direction bandwidth and per-step latency. */
export interface EffectiveLink {
  readonly bandwidthBytesPerS: number;
  readonly latencyS: number;
  /**
   * Measured bus bandwidth by message size (perf/parts.ts busBandwidthFraction) over `peakBytesPerS`;
   * when present it replaces the flat bandwidth and the per-step latency (the curve holds both).
   */
  readonly curve?: { readonly shape: CollectiveCurve; readonly peakBytesPerS: number };
}

/**
 * The link as a collective of `bytes` sees it: flat, or read off the measured curve at that size. The
 * curve is all-reduce's; where it was measured with NVLink SHARP, which reduces in the switch and helps
 * all-reduce alone, every other kind runs at no more than the ring protocol's measured share.
 */
export function linkAt(
  link: EffectiveLink,
  bytes: number,
  kind: CollectiveKind = "all-reduce",
): EffectiveLink {
  if (link.curve === undefined) return link;
  const { shape, peakBytesPerS } = link.curve;
  let fraction = busBandwidthFraction(shape, bytes);
  if (kind !== "all-reduce" && shape.ringPlateau !== undefined)
    fraction = Math.min(fraction, shape.ringPlateau);
  return { bandwidthBytesPerS: peakBytesPerS * fraction, latencyS: 0 };
}

/** One algorithm for collectives inside one network level. Every implementation runs the conformance suite. */
export interface CollectiveAlgorithm {
  readonly name: string;
  /** Seconds for `kind` of `bytes` among `n` ranks over `link`. n = 1 costs nothing. */
  time(kind: CollectiveKind, bytes: number, n: number, link: EffectiveLink): number;
}

/** Ring algorithms: bandwidth-optimal, latency linear in n (Patarasuk & Yuan 2009; NCCL ring). */
export const ring: CollectiveAlgorithm = {
  name: "ring",
  time(kind, bytes, n, link) {
    if (n <= 1 || bytes <= 0) return 0;
    const bw = link.bandwidthBytesPerS;
    switch (kind) {
      case "all-reduce":
        return (2 * (n - 1) * bytes) / (n * bw) + 2 * (n - 1) * link.latencyS;
      case "all-gather":
      case "reduce-scatter":
      case "all-to-all":
        return ((n - 1) * bytes) / (n * bw) + (n - 1) * link.latencyS;
      case "p2p":
        return bytes / bw + link.latencyS;
    }
  },
};

/**
 * Double binary tree all-reduce (NCCL ≥ 2.4, Sanders et al. 2009): the full buffer crosses each link
 * about twice, but latency grows with log2(n). Other kinds fall back to ring.
 */
export const tree: CollectiveAlgorithm = {
  name: "tree",
  time(kind, bytes, n, link) {
    if (kind !== "all-reduce") return ring.time(kind, bytes, n, link);
    if (n <= 1 || bytes <= 0) return 0;
    return (2 * bytes) / link.bandwidthBytesPerS + 2 * Math.ceil(Math.log2(n)) * link.latencyS;
  },
};

/** What NCCL does: pick the faster of ring and tree for each call. */
export const auto: CollectiveAlgorithm = {
  name: "auto",
  time(kind, bytes, n, link) {
    return Math.min(ring.time(kind, bytes, n, link), tree.time(kind, bytes, n, link));
  },
};

export const COLLECTIVE_ALGORITHMS: readonly CollectiveAlgorithm[] = [ring, tree, auto];

/**
 * A third level: pods of `size` accelerators with a non-blocking scale-out fabric inside, joined by an
 * upper layer oversubscribed `oversubscription`:1 (each pod's uplinks carry size × NIC bandwidth / r).
 * E.g. Llama 3's 24K-GPU cluster: pods of 3,072 GPUs at full bisection, 1:7 between pods.
 */
export interface PodSpec {
  readonly size: number;
  readonly oversubscription: number;
}

/** The network levels an accelerator sees, with achievable (not peak) bandwidth. */
export interface Network {
  readonly domainSize: number;
  readonly scaleUp: EffectiveLink;
  readonly scaleOut: EffectiveLink;
  /** Pods above the scale-out level (absent: the scale-out fabric is non-blocking across the job). */
  readonly pod?: PodSpec;
}

export function network(
  domainSize: number,
  scaleUp: EffectiveLink,
  scaleOut: EffectiveLink,
  calibration = CALIBRATION,
  pod?: PodSpec,
  scaleUpCurve?: CollectiveCurve | null,
): Network {
  return {
    ...(pod !== undefined && pod.oversubscription > 1 ? { pod } : {}),
    domainSize,
    scaleUp: {
      bandwidthBytesPerS: scaleUp.bandwidthBytesPerS * calibration.scaleUpEfficiency,
      latencyS: scaleUp.latencyS,
      ...(scaleUpCurve !== undefined && scaleUpCurve !== null
        ? { curve: { shape: scaleUpCurve, peakBytesPerS: scaleUp.bandwidthBytesPerS } }
        : {}),
    },
    scaleOut: {
      bandwidthBytesPerS: scaleOut.bandwidthBytesPerS * calibration.scaleOutEfficiency,
      latencyS: scaleOut.latencyS,
    },
  };
}

/**
 * The network an accelerator's collectives see: its own links, with the measured scale-up curve where its
 * fabric has one. `domainSize` defaults to the accelerator's scale-up domain; a job may state a smaller one.
 */
export function acceleratorNetwork(
  acc: Accelerator,
  domainSize = acc.scaleUp.domainSize,
  calibration = CALIBRATION,
  pod?: PodSpec,
): Network {
  return network(domainSize, acc.scaleUp, acc.scaleOut, calibration, pod, acc.parts.scaleUpCurve?.value);
}

/**
 * Members of a group (n ranks, `stride` apart, ranks filling one domain before the next) that share a
 * scale-up domain.
 */
export function membersPerDomain(domainSize: number, n: number, stride: number): number {
  if (stride >= domainSize || domainSize % stride !== 0) return 1;
  const fit = domainSize / stride;
  // A small group that does not tile the domain has members straddling a boundary: the slowest group,
  // which sets the pace, talks over the NIC. A large group fills `fit` slots of each domain it touches.
  if (n <= fit) return fit % n === 0 ? n : 1;
  return fit;
}

/**
 * The NIC-level link a group's inter-domain step sees. Ranks fill a pod before the next, so a group whose
 * extent n·stride exceeds the pod crosses pod boundaries. Per pod, `stride` interleaved groups each run
 * `local` inter-domain rings (one per member in a domain), and each ring crosses the boundary once: the
 * pod's uplinks (size·bw/r) carry stride·local flows, so each flows at most (size / (stride·local))·bw/r —
 * the group's NIC-level members per pod over the oversubscription. Many members per pod hide it (why
 * Llama 3 ran data parallelism across 1:7 pods); a pipeline boundary between pods (few stages per pod)
 * does not.
 */
export function podLink(net: Network, n: number, stride: number, local: number): EffectiveLink {
  const pod = net.pod;
  if (pod === undefined || n * stride <= pod.size) return net.scaleOut;
  const perPod = pod.size / (stride * local);
  const f = Math.min(1, perPod / pod.oversubscription);
  return f >= 1
    ? net.scaleOut
    : { bandwidthBytesPerS: net.scaleOut.bandwidthBytesPerS * f, latencyS: net.scaleOut.latencyS };
}

/**
 * Share of an all-to-all's NIC traffic that leaves the pod, times the oversubscription: the factor by
 * which the pod uplinks stretch the NIC time (1 when the group stays in a pod).
 */
function podAllToAllFactor(net: Network, n: number, stride: number, local: number): number {
  const pod = net.pod;
  if (pod === undefined || n * stride <= pod.size || n <= local) return 1;
  const inPod = Math.min(n, Math.max(1, Math.floor(pod.size / stride)));
  const crossing = (n - inPod) / (n - local);
  return Math.max(1, crossing * pod.oversubscription);
}

/**
 * Time of a collective among `n` ranks spaced `stride` apart in rank order (ranks fill a scale-up
 * domain before the next). A group inside one domain uses the scale-up link; one spread one-per-domain
 * uses the scale-out NIC; a group with `local` members in each domain runs hierarchically: the
 * intra-domain step on the full data, the inter-domain step on 1/local of it, each accelerator driving
 * its own NIC in parallel.
 */
export function groupCollectiveTime(
  net: Network,
  kind: CollectiveKind,
  bytes: number,
  n: number,
  stride: number,
  algorithm: CollectiveAlgorithm = auto,
): number {
  if (n <= 1 || bytes <= 0) return 0;
  const local = membersPerDomain(net.domainSize, n, stride);
  const up = linkAt(net.scaleUp, bytes, kind);
  if (local >= n) return algorithm.time(kind, bytes, n, up);
  const out = podLink(net, n, stride, local);
  if (local === 1 && kind !== "all-to-all") return algorithm.time(kind, bytes, n, out);
  const remote = n / local;
  switch (kind) {
    case "all-reduce":
      return (
        algorithm.time("reduce-scatter", bytes, local, up) +
        algorithm.time("all-reduce", bytes / local, remote, out) +
        algorithm.time("all-gather", bytes, local, up)
      );
    case "all-gather":
    case "reduce-scatter":
      return algorithm.time(kind, bytes / local, remote, out) + algorithm.time(kind, bytes, local, up);
    case "all-to-all": {
      if (local === 1 && net.pod === undefined) return algorithm.time(kind, bytes, n, net.scaleOut);
      // Traffic to peers in other domains leaves through the NIC while local traffic uses scale-up.
      const outBytes = (bytes * (n - local)) / n;
      const inBytes = (bytes * (local - 1)) / n;
      return Math.max(
        (outBytes * podAllToAllFactor(net, n, stride, local)) / net.scaleOut.bandwidthBytesPerS +
          (remote - 1) * net.scaleOut.latencyS,
        inBytes / up.bandwidthBytesPerS + (local - 1) * up.latencyS,
      );
    }
    case "p2p":
      return algorithm.time("p2p", bytes, 2, out);
  }
}

/** Where an expert all-to-all's copies of a token go: over the NIC, and over scale-up within a domain. */
export interface ExpertAllToAllCopies {
  /** Ranks of the group in one scale-up domain, and domains the group spans. */
  readonly local: number;
  readonly domains: number;
  /** Copies of each token that cross the NIC (per sending rank, averaged over tokens). */
  readonly remoteCopies: number;
  /** Copies that move over scale-up: to peers in the domain, and forwarded after crossing the NIC. */
  readonly localCopies: number;
}

export function expertAllToAllCopies(
  net: Network,
  moe: MoeSpec,
  n: number,
  stride: number,
): ExpertAllToAllCopies {
  const local = membersPerDomain(net.domainSize, n, stride);
  const domains = n / local;
  const remoteShare = (n - local) / n;
  let remoteCopies = moe.topK * remoteShare;
  if (moe.maxNodesPerToken !== undefined && domains > 1) {
    const nodes = Math.min(moe.maxNodesPerToken, domains);
    remoteCopies = Math.min(remoteCopies, nodes * ((domains - 1) / domains));
  }
  const localCopies = moe.topK * ((local - 1) / n) + (moe.maxNodesPerToken !== undefined ? remoteCopies : 0);
  return { local, domains, remoteCopies, localCopies };
}

/**
 * One MoE all-to-all (dispatch or combine) of `tokenBytes` (tokens × hidden × element) per rank among
 * `n` expert-parallel ranks spaced `stride` apart. Each token visits top-k experts. Without node-limited
 * routing every copy to a rank in another scale-up domain crosses the NIC; with it (DeepSeek-V3: at most
 * M nodes per token), one copy per destination node crosses the NIC and is forwarded over scale-up
 * (DeepEP), so at most M copies leave the domain (and no more than the other domains there are).
 *
 * The kernels (DeepEP's, or a grouped send/receive) post every peer's transfer at once, so each level
 * adds its link latency once, not once per peer: the NIC's bytes and the scale-up bytes move in parallel,
 * and the slower sets the time. Checked against DeepEP's measured dispatch and combine (`validate
 * --parts`, parts expert-a2a-*): a latency per peer put the 128-token low-latency dispatch at 256
 * ranks at 2.2× its measured 194 µs.
 */
export function expertAllToAllTime(
  net: Network,
  moe: MoeSpec,
  tokenBytes: number,
  n: number,
  stride: number,
): number {
  const { local, domains, remoteCopies, localCopies } = expertAllToAllCopies(net, moe, n, stride);
  const out =
    domains > 1
      ? (tokenBytes * remoteCopies * podAllToAllFactor(net, n, stride, local)) /
          net.scaleOut.bandwidthBytesPerS +
        net.scaleOut.latencyS
      : 0;
  const inDomain =
    local > 1 ? (tokenBytes * localCopies) / net.scaleUp.bandwidthBytesPerS + net.scaleUp.latencyS : 0;
  return Math.max(out, inDomain);
}
