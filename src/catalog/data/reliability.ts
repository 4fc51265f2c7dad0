/**
 * Interruptions of a large training run, from ../shared/reference (validation.reliability): Grattafiori
 * et al. 2024, "The Llama 3 Herd of Models", Table 5 — 419 unexpected interruptions in 54 days on
 * 16,384 H100, by component. `hardware` causes take the failing node out for repair; the others
 * (software, dependencies, NCCL timeouts) only restart the job.
 */
export const LLAMA3_INTERRUPTIONS = {
  accelerators: 16_384,
  days: 54,
  unexpected: 419,
  causes: [
    { name: "Faulty GPU", count: 148, hardware: true },
    { name: "GPU HBM3 Memory", count: 72, hardware: true },
    { name: "Software Bug", count: 54, hardware: false },
    { name: "Network Switch/Cable", count: 35, hardware: true },
    { name: "Host Maintenance", count: 32, hardware: true },
    { name: "GPU SRAM Memory", count: 19, hardware: true },
    { name: "GPU System Processor", count: 17, hardware: true },
    { name: "NIC", count: 7, hardware: true },
    { name: "NCCL Watchdog Timeouts", count: 7, hardware: false },
    { name: "Silent Data Corruption", count: 6, hardware: true },
    { name: "GPU Thermal Interface + Sensor", count: 6, hardware: true },
    { name: "SSD", count: 3, hardware: true },
    { name: "Power Supply", count: 3, hardware: true },
    { name: "Server Chassis", count: 2, hardware: true },
    { name: "IO Expansion Board", count: 2, hardware: true },
    { name: "Dependency", count: 2, hardware: false },
    { name: "CPU", count: 2, hardware: true },
    { name: "System Memory", count: 2, hardware: true },
  ],
  source:
    "Grattafiori et al. 2024, 'The Llama 3 Herd of Models', Table 5 and §3.3.4 (via ../shared/reference validation.reliability); effective training time >90%",
} as const;

/** Interruptions per accelerator-hour: 419 / (16,384 × 54 × 24) = 1.97e-5 (0.474 per 1,000 GPU-days). */
export const INTERRUPTIONS_PER_ACC_HOUR =
  LLAMA3_INTERRUPTIONS.unexpected / (LLAMA3_INTERRUPTIONS.accelerators * LLAMA3_INTERRUPTIONS.days * 24);
