package io.saferollout.api;

/** How far the operator may go when a Deployment has a zero-downtime gap. */
public enum Mode {
  /** Add what is missing; never overwrite a value the user set (unsafe values become findings). */
  FillMissing,
  /** Also correct unsafe values the user set. */
  Enforce,
  /** Change nothing; report what would change and what is unsafe. */
  Audit
}
