package io.saferollout.operator.validation;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of parsing a spec: the value, or every problem found (never both, never neither).
 * Problems are values, not exceptions, so the operator can put all of them in one condition and the
 * CLI can name one option per problem.
 */
public record Parsed<T>(Optional<T> value, List<SpecProblem> problems) {
  public Parsed {
    problems = List.copyOf(problems);
    if (value.isPresent() == !problems.isEmpty()) {
      throw new IllegalArgumentException("a parse yields a value or problems, not both");
    }
  }

  static <T> Parsed<T> of(T value) {
    return new Parsed<>(Optional.of(value), List.of());
  }

  static <T> Parsed<T> rejected(List<SpecProblem> problems) {
    return new Parsed<>(Optional.empty(), problems);
  }

  public boolean isValid() {
    return value.isPresent();
  }

  /** All problems in one line, e.g. for a status condition: "spec.x: ...; spec.y: ...". */
  public String describeProblems() {
    return problems.stream().map(SpecProblem::toString).collect(Collectors.joining("; "));
  }
}
