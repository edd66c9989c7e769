package io.saferollout.rules;

import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rolling-update bound (maxSurge, maxUnavailable): a pod count or a percentage of the replicas.
 *
 * @param amount the count, or the percentage (0-100)
 */
public record ReplicaBound(int amount, Unit unit) {
  public enum Unit {
    PODS,
    PERCENT
  }

  public enum Rounding {
    UP,
    DOWN
  }

  private static final Pattern PERCENT = Pattern.compile("^(\\d{1,3})%$");

  public ReplicaBound {
    if (amount < 0 || (unit == Unit.PERCENT && amount > 100)) {
      throw new IllegalArgumentException(
          "rolling-update bound "
              + amount
              + (unit == Unit.PERCENT ? "%" : "")
              + " is out of range");
    }
  }

  /** Reads an IntOrString as Kubernetes does; empty when it is neither a count nor "N%" (0-100). */
  public static Optional<ReplicaBound> parse(IntOrString value) {
    if (value == null) {
      return Optional.empty();
    }
    if (value.getIntVal() != null) {
      int n = value.getIntVal();
      return n < 0 ? Optional.empty() : Optional.of(new ReplicaBound(n, Unit.PODS));
    }
    String text = value.getStrVal();
    Matcher m = PERCENT.matcher(text == null ? "" : text.trim());
    if (!m.matches() || Integer.parseInt(m.group(1)) > 100) {
      return Optional.empty();
    }
    return Optional.of(new ReplicaBound(Integer.parseInt(m.group(1)), Unit.PERCENT));
  }

  public boolean isZero() {
    return amount == 0;
  }

  /**
   * Pods this bound allows at the given replica count. Kubernetes rounds a percentage maxSurge up
   * and a percentage maxUnavailable down (deployment util ResolveFenceposts).
   */
  public int pods(int replicas, Rounding rounding) {
    if (unit == Unit.PODS) {
      return amount;
    }
    long scaled = (long) amount * replicas;
    return (int) (rounding == Rounding.UP ? (scaled + 99) / 100 : scaled / 100);
  }

  public IntOrString toIntOrString() {
    return unit == Unit.PODS ? new IntOrString(amount) : new IntOrString(amount + "%");
  }

  @Override
  public String toString() {
    return unit == Unit.PODS ? Integer.toString(amount) : amount + "%";
  }
}
