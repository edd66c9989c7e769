package io.saferollout.rules;

/** How bad a gap is: ERROR loses requests on the next rollout, WARNING can, INFO is advice. */
public enum Severity {
  INFO,
  WARNING,
  ERROR
}
