package io.saferollout.operator;

/**
 * Every reason a SafeRollout condition can give: machine-readable (CamelCase, as the API
 * conventions ask), so alerts and `kubectl wait` can match them; the message carries the details.
 */
enum ConditionReason {
  InvalidSpec,
  TargetNotFound,
  Conflict,
  Hardened,
  AwaitingRollout,
  Audited,
  RolloutInProgress,
  RolloutComplete,
  UnfixedFindings,
  AsExpected,
  ReconcileError,
  DataPlaneReadable,
  DataPlaneUnreadable,
  NoDataPlaneSource
}
