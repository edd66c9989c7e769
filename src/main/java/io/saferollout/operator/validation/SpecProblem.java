package io.saferollout.operator.validation;

/**
 * One thing wrong with a SafeRollout spec: the field, as a path from the resource root ({@code
 * spec.readinessProbe.path}), and what is wrong with it. The operator shows it in the Degraded
 * condition; the CLI names its own option for the same field.
 */
public record SpecProblem(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
