package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.saferollout.rules.PreStopDelay;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of preStop forms, read by both the rules ({@link PreStopDelay}: how long a user's hook
 * waits) and the lab ({@link PreStopHook}: how long a simulated kubelet waits). They must agree, or
 * the lab would prove a hook safe that the rules call short, or the other way round.
 */
class PreStopFormsTest {
  private static final SimulatedVersion CLUSTER = SimulatedVersion.parse("1.33");

  static Stream<Arguments> forms() {
    return Stream.of(
        row("sleep action", sleep(15), Duration.ofSeconds(15)),
        row("sleep 15", exec("sleep", "15"), Duration.ofSeconds(15)),
        row("/bin/sleep 15s", exec("/bin/sleep", "15s"), Duration.ofSeconds(15)),
        row("sleep 2.5", exec("sleep", "2.5"), Duration.ofMillis(2500)),
        row("sh -c sleep 15", exec("sh", "-c", "sleep 15"), Duration.ofSeconds(15)),
        row("/bin/sh -c 'sleep 15;'", exec("/bin/sh", "-c", "sleep 15;"), Duration.ofSeconds(15)),
        row("bash -c 'exec sleep 20'", exec("bash", "-c", "exec sleep 20"), Duration.ofSeconds(20)),
        row(
            "sh -c '/usr/bin/sleep 3s'",
            exec("sh", "-c", "/usr/bin/sleep 3s"),
            Duration.ofSeconds(3)),
        row("sh -c 'sleep 2.5'", exec("sh", "-c", "sleep 2.5"), Duration.ofMillis(2500)),
        row(
            "sleep then nginx -s quit",
            exec("sh", "-c", "sleep 5 && nginx -s quit"),
            Duration.ofSeconds(5)),
        row(
            "sleep; then more",
            exec("/bin/sh", "-c", "sleep 10; kill -TERM 1"),
            Duration.ofSeconds(10)),
        row("zsh -c sleep 4", exec("/usr/bin/zsh", "-c", "sleep 4"), Duration.ofSeconds(4)),
        row("nginx -s quit; sleep 5", exec("/bin/sh", "-c", "nginx -s quit; sleep 5"), null),
        row("sleep forever", exec("sleep", "infinity"), null),
        row("sleep without a number", exec("sh", "-c", "sleep"), null),
        row("a drain script", exec("/app/drain"), null),
        row("sh without -c", exec("sh", "/app/drain.sh"), null),
        row(
            "httpGet",
            new LifecycleHandlerBuilder()
                .withNewHttpGet()
                .withPath("/drain")
                .withPort(new IntOrString(8080))
                .endHttpGet()
                .build(),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forms")
  void theLabWaitsExactlyAsLongAsTheRulesCreditTheHookWith(
      String form, LifecycleHandler hook, Duration expected) {
    Optional<Duration> rules = PreStopDelay.of(hook);
    PreStopHook run = PreStopHook.of(container(hook), CLUSTER);
    Optional<Duration> lab =
        run instanceof PreStopHook.Sleep sleep ? Optional.of(sleep.duration()) : Optional.empty();
    assertThat(rules).as("rules").isEqualTo(Optional.ofNullable(expected));
    assertThat(lab).as("lab").isEqualTo(Optional.ofNullable(expected));
  }

  private static Arguments row(String form, LifecycleHandler hook, Duration expected) {
    return Arguments.of(form, hook, expected);
  }

  private static LifecycleHandler exec(String... command) {
    return new LifecycleHandlerBuilder().withNewExec().withCommand(command).endExec().build();
  }

  private static LifecycleHandler sleep(long seconds) {
    return new LifecycleHandlerBuilder().withNewSleep().withSeconds(seconds).endSleep().build();
  }

  private static Container container(LifecycleHandler hook) {
    return new ContainerBuilder()
        .withName("app")
        .withNewLifecycle()
        .withPreStop(hook)
        .endLifecycle()
        .build();
  }
}
