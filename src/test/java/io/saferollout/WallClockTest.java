package io.saferollout;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that spends its time waiting on real clocks (lab scenarios, rollouts, lease expiry):
 * seconds each, not milliseconds. `./mvnw test` leaves it out so the fast loop stays fast; `./mvnw
 * verify` runs it (failsafe). Put it on a class whose tests together take more than a few seconds
 * of waiting; run one directly with `./mvnw test -Dtest=ClassName`.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(WallClockTest.TAG)
public @interface WallClockTest {
  String TAG = "wallclock";
}
