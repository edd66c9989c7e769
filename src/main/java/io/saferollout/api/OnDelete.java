package io.saferollout.api;

/** What happens to the target Deployments when their SafeRollout is deleted. */
public enum OnDelete {
  /** Leave the Deployments as they are: hardening stays, nothing rolls. */
  Keep,
  /** Remove exactly the operator's own changes (and nothing the user set). */
  Revert
}
