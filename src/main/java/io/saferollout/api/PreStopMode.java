package io.saferollout.api;

/** How the preStop delay is chosen: a stated number, or sized from measured endpoint removal. */
public enum PreStopMode {
  /** preStop.delaySeconds, always. The tuning recommendation is still shown in the status. */
  Fixed,
  /** Measured removal p99 x factor + margin + budgets, bounded by min/max, with hysteresis. */
  Auto
}
