#!/usr/bin/env python3
"""Sustained GEMM rates with the SM clock, power and temperature logged beside them.

The parts figure issue 11 lacks (docs/model.md, "Known gaps"): every GEMM row in
../shared/reference/microbench.json is a short burst, while a training run or a loaded server keeps
its chip at the power limit for hours. This script runs back-to-back matrix products on random data
(random data draws more power than zeros) for long enough that the clock settles under the power
limit, and reports for each shape and precision the rate in the first seconds (burst) beside the rate
over the second half of its run (sustained), with the median SM clock and power in each window.

It runs on a lent NVIDIA machine (the `device` tool), under that image's python3 with PyTorch:

    python3 scripts/device/sustained-gemm.py --out "$OUT"            # about 7.5 minutes: one device call (timeout_s 600)
    python3 scripts/device/sustained-gemm.py --dry-run               # the plan, no GPU needed

It reads the card's settings and never changes them (no clock, power-limit or mode changes).
Output: $OUT/sustained-gemm.json (rows in microbench.json's `gemm` fields plus the burst/sustained
split and the clocks) and $OUT/sustained-gemm-timeline.csv (every timed batch and every clock sample).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time

# (label, M, N, K, precisions, seconds, idle seconds before). The square shapes soak the chip first
# (the FP8 one after an idle pause), so later rows start warm; the others are the GEMMs of two
# validation cases at their own shapes.
PLAN = [
    ("square 8192^3 (soak)", 8192, 8192, 8192, ("bf16",), 120, 0),
    ("square 8192^3 (soak, after idle)", 8192, 8192, 8192, ("fp8",), 90, 20),
    # Llama 3.1 405B, tp 8, one 8,192-token micro-batch (validation/training.yaml, Meta's configuration).
    ("405B tp8 QKV", 8192, 2304, 16384, ("bf16", "fp8"), 20, 0),
    ("405B tp8 attention out", 8192, 16384, 2048, ("bf16", "fp8"), 20, 0),
    ("405B tp8 MLP up (gated)", 8192, 13312, 16384, ("bf16", "fp8"), 20, 0),
    ("405B tp8 MLP down", 8192, 16384, 6656, ("bf16", "fp8"), 20, 0),
    # Llama 2 70B on one GPU, 2,048 tokens an iteration (MLPerf Inference's Hopper FP8 cases, TP1).
    ("70B tp1 MLP up (gated), 2048 tokens", 2048, 57344, 8192, ("fp8",), 20, 0),
    ("70B tp1 MLP down, 2048 tokens", 2048, 8192, 28672, ("fp8",), 20, 0),
]

BURST_S = 5.0  # the first seconds of a row's run: the rate a short benchmark reports
BATCH_TARGET_S = 0.05  # products per timed batch: about this long, well past launch overhead
POLL_S = 0.25


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=os.environ.get("OUT", "."), help="folder for the two output files")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every row's duration (e.g. 0.1 for a smoke run)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and its duration; touch no GPU")
    a = p.parse_args(argv)
    if not (a.scale > 0):
        p.error(f"--scale: {a.scale} is not a positive number")
    return a


def planned_rows(scale: float) -> list[tuple[str, int, int, int, str, float, float]]:
    return [
        (label, m, n, k, prec, max(2 * BURST_S, seconds * scale), idle)
        for (label, m, n, k, precs, seconds, idle) in PLAN
        for prec in precs
    ]


class Poller:
    """Samples SM clock (MHz), power (W) and temperature (C) every POLL_S seconds, read-only."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float, float, float]] = []
        self._stop = threading.Event()
        self._read = self._nvml_reader() or self._smi_reader()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _nvml_reader():
        try:
            import pynvml  # nvidia-ml-py

            pynvml.nvmlInit()
            h = pynvml.nvmlDeviceGetHandleByIndex(0)

            def read() -> tuple[float, float, float]:
                return (
                    float(pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_SM)),
                    pynvml.nvmlDeviceGetPowerUsage(h) / 1000.0,
                    float(pynvml.nvmlDeviceGetTemperature(h, pynvml.NVML_TEMPERATURE_GPU)),
                )

            read()
            return read
        except Exception:  # noqa: BLE001 - any NVML failure falls back to nvidia-smi
            return None

    @staticmethod
    def _smi_reader():
        def read() -> tuple[float, float, float]:
            line = subprocess.run(
                ["nvidia-smi", "-i", "0", "--query-gpu=clocks.sm,power.draw,temperature.gpu", "--format=csv,noheader,nounits"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.strip()
            parts = [float(x) for x in line.split(",")]
            return (parts[0], parts[1], parts[2])

        return read

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                clock, power, temp = self._read()
                self.samples.append((time.perf_counter(), clock, power, temp))
            except Exception:  # noqa: BLE001 - a missed sample is left out, not fatal
                pass
            self._stop.wait(POLL_S)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def window(self, t0: float, t1: float) -> dict[str, float | None]:
        s = [x for x in self.samples if t0 <= x[0] <= t1]
        med = lambda i: statistics.median(x[i] for x in s) if s else None  # noqa: E731
        return {"smClockMHz": med(1), "powerW": med(2), "temperatureC": med(3), "samples": len(s)}


def card_info() -> dict[str, object]:
    info: dict[str, object] = {}
    try:
        import pynvml

        pynvml.nvmlInit()
        h = pynvml.nvmlDeviceGetHandleByIndex(0)
        name = pynvml.nvmlDeviceGetName(h)
        info["name"] = name.decode() if isinstance(name, bytes) else name
        info["powerLimitW"] = pynvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1000.0
        info["maxSmClockMHz"] = pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_SM)
        drv = pynvml.nvmlSystemGetDriverVersion()
        info["driver"] = drv.decode() if isinstance(drv, bytes) else drv
    except Exception as e:  # noqa: BLE001
        info["nvmlError"] = str(e)
    return info


def operands(torch, m: int, n: int, k: int, prec: str):
    """Two input sets per row (rotated), random normal like activations and weights."""
    dev = "cuda"
    sets = []
    for _ in range(2):
        a = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
        b = torch.randn(n, k, device=dev, dtype=torch.bfloat16)
        if prec == "bf16":
            sets.append((a, b.t()))
        else:
            # torch._scaled_mm: A row-major, B column-major, e4m3 inputs, per-tensor fp32 scales.
            sets.append((a.to(torch.float8_e4m3fn), b.to(torch.float8_e4m3fn).t()))
    one = torch.ones((), device=dev, dtype=torch.float32)

    def product(i: int):
        a, b = sets[i % 2]
        if prec == "bf16":
            return torch.matmul(a, b)
        return torch._scaled_mm(a, b, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)

    return product


def run_row(torch, poller: Poller, timeline: list[str], began: float, row: tuple[str, int, int, int, str, float, float]):
    label, m, n, k, prec, seconds, idle = row
    time.sleep(idle)
    product = operands(torch, m, n, k, prec)
    flops = 2.0 * m * n * k
    for i in range(3):
        product(i)
    torch.cuda.synchronize()
    t = time.perf_counter()
    product(0)
    torch.cuda.synchronize()
    reps = max(1, int(BATCH_TARGET_S / max(time.perf_counter() - t, 1e-6)))
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    batches: list[tuple[float, float]] = []  # (seconds since the row began, TFLOP/s)
    t0 = time.perf_counter()
    i = 0
    while time.perf_counter() - t0 < seconds:
        start.record()
        for _ in range(reps):
            product(i)
            i += 1
        stop.record()
        stop.synchronize()
        tflops = flops * reps / (start.elapsed_time(stop) / 1000.0) / 1e12
        now = time.perf_counter()
        batches.append((now - t0, tflops))
        timeline.append(f"batch,\"{label}\",{prec},{now - began:.3f},{tflops:.1f},,,")
    t1 = time.perf_counter()
    burst = [x for s, x in batches if s <= BURST_S]
    sustained = [x for s, x in batches if s >= seconds / 2]
    return {
        "label": label,
        "precision": prec.upper(),
        "M": m,
        "N": n,
        "K": k,
        "seconds": round(t1 - t0, 1),
        "productsPerBatch": reps,
        "burstTflops": round(statistics.median(burst), 1) if burst else None,
        "sustainedTflops": round(statistics.median(sustained), 1) if sustained else None,
        "burst": poller.window(t0, t0 + BURST_S),
        "sustained": poller.window(t0 + seconds / 2, t1),
    }


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    rows = planned_rows(a.scale)
    total = sum(r[5] + r[6] for r in rows)
    if a.dry_run:
        for label, m, n, k, prec, s, idle in rows:
            print(f"{label:40s} {prec:5s} M={m:<6d} N={n:<6d} K={k:<6d} {s:6.1f} s" + (f" after {idle:.0f} s idle" if idle else ""))
        print(f"{len(rows)} rows, {total:.0f} s with the idle pause (plus about 20 s of set-up)")
        return 0

    try:
        import torch
    except ImportError:
        print("sustained-gemm: PyTorch is not installed here; run it on a lent NVIDIA machine (--dry-run prints the plan)", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print("sustained-gemm: no CUDA device is visible; run it on a lent NVIDIA machine (--dry-run prints the plan)", file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    poller = Poller()
    poller.start()
    timeline = ["kind,label,precision,t_s,tflops,sm_clock_mhz,power_w,temperature_c"]
    results = []
    began = time.perf_counter()
    try:
        for row in rows:
            r = run_row(torch, poller, timeline, began, row)
            results.append(r)
            print(
                f"{r['label']:40s} {row[4]:5s} burst {r['burstTflops']} TFLOP/s at {r['burst']['smClockMHz']} MHz; "
                f"sustained {r['sustainedTflops']} TFLOP/s at {r['sustained']['smClockMHz']} MHz, "
                f"{r['sustained']['powerW']} W, {r['sustained']['temperatureC']} C",
                flush=True,
            )
    finally:
        poller.stop()
        for t, clock, power, temp in poller.samples:
            timeline.append(f"clock,,,{t - began:.3f},,{clock:.0f},{power:.1f},{temp:.0f}")
        about = {
            "what": "sustained GEMM rates on random data, clocks and power logged (scripts/device/sustained-gemm.py)",
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "card": card_info(),
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "burstWindowS": BURST_S,
            "sustainedWindow": "the second half of each row's run",
            "note": "clocks, power limit and modes read, never changed",
        }
        with open(os.path.join(a.out, "sustained-gemm.json"), "w") as f:
            json.dump({"about": about, "rows": results}, f, indent=1)
        with open(os.path.join(a.out, "sustained-gemm-timeline.csv"), "w") as f:
            f.write("\n".join(timeline) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
