package io.saferollout.lab.dataplane;

import java.util.function.LongUnaryOperator;

/**
 * Applies each change at its own moment, but never before an earlier change: data planes apply in
 * order.
 */
final class InOrder implements PropagationProfile.ApplySchedule {

  private final LongUnaryOperator ownMoment;
  private long last = Long.MIN_VALUE;

  InOrder(LongUnaryOperator ownMoment) {
    this.ownMoment = ownMoment;
  }

  @Override
  public long applyAtNanos(long heardAtNanos) {
    last = Math.max(ownMoment.applyAsLong(heardAtNanos), last);
    return last;
  }
}
