package io.saferollout.bench;

import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.PodApp;
import io.saferollout.load.LoadGenerator;
import io.saferollout.load.LoadPlan;
import io.saferollout.load.LoadReport;
import io.saferollout.load.TargetScope;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast can the load generator go with honest latency accounting? Steps the rate up against one
 * zero-service-time pod until the achieved rate falls below 95% of the target, more than 1% fail,
 * or p99 exceeds 50 ms; then, if {@code wrk} is installed, measures wrk's closed-loop maximum
 * against the same pod for comparison. Prints numbers, asserts nothing.
 *
 * <p>Run: {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * && java -cp target/classes:target/test-classes:$(cat target/cp.txt)
 * io.saferollout.bench.LoadGeneratorBench}. On a shared machine the numbers move with everything
 * else that runs; repeat before comparing.
 */
public final class LoadGeneratorBench {

  private static final String HOST = "127.77.9.1";
  private static final int PORT = 8080;
  private static final Duration STEP = Duration.ofSeconds(3);
  private static final double[] RATES = {
    2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 40_000, 60_000, 80_000
  };
  private static final double P99_LIMIT_MS = 50;

  public static void main(String[] args) throws Exception {
    String url = "http://" + HOST + ":" + PORT + "/";
    Vertx targetVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Vertx generatorVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    PodApp target =
        PodApp.start(
            targetVertx,
            "bench",
            HOST,
            PORT,
            AppBehaviour.builder().serviceTime(Duration.ZERO).build());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!target.isListening() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      System.out.printf(
          "cores=%d target=%s step=%ss%n",
          Runtime.getRuntime().availableProcessors(), url, STEP.toSeconds());
      // JIT warm-up, not reported: the first seconds of a cold JVM stall for hundreds of ms.
      step(generatorVertx, url, 2_000, Duration.ofSeconds(2));
      step(generatorVertx, url, 10_000, Duration.ofSeconds(4));

      System.out.printf(
          "%10s %10s %8s %8s %8s %8s %8s%n",
          "target/s", "achieved/s", "p50 ms", "p99 ms", "p999 ms", "max ms", "failed");
      double sustained = 0;
      for (double rate : RATES) {
        LoadReport r = step(generatorVertx, url, rate, STEP);
        System.out.printf(
            "%10.0f %10.0f %8.2f %8.2f %8.2f %8.2f %8d %s%n",
            rate,
            r.achievedRatePerSecond(),
            r.latency().p50Ms(),
            r.latency().p99Ms(),
            r.latency().p999Ms(),
            r.latency().maxMs(),
            r.failed(),
            r.failuresByClass().isEmpty() ? "" : r.failuresByClass());
        boolean kept =
            r.succeeded() >= 0.95 * rate * STEP.toSeconds()
                && r.failed() <= 0.01 * r.requests()
                && r.latency().p99Ms() <= P99_LIMIT_MS;
        if (!kept) {
          break;
        }
        sustained = rate;
      }
      System.out.printf(
          "highest sustained rate: %.0f req/s (p99 <= %.0f ms, >= 95%% succeeded)%n",
          sustained, P99_LIMIT_MS);

      Double wrk = wrk(url, STEP);
      if (wrk == null) {
        System.out.println("wrk not installed: no comparison");
      } else {
        System.out.printf("wrk -t1 -c32 (closed loop, max throughput): %.0f req/s%n", wrk);
        System.out.printf("generator sustained / wrk max: %.2f%n", sustained / wrk);
      }
    } finally {
      target.kill();
      target.exited().get(10, TimeUnit.SECONDS);
      targetVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      generatorVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static LoadReport step(Vertx vertx, String url, double rate, Duration duration) {
    LoadPlan plan =
        LoadPlan.builder()
            .target(url)
            .ratePerSecond(rate)
            .duration(duration)
            .maxInFlight(1_000)
            .scope(TargetScope.LOOPBACK_ONLY)
            .build();
    try (LoadGenerator generator = LoadGenerator.create(plan, vertx)) {
      return generator.run();
    }
  }

  private static Double wrk(String url, Duration duration) throws Exception {
    Process process;
    try {
      process =
          new ProcessBuilder(List.of("wrk", "-t1", "-c32", "-d" + duration.toSeconds() + "s", url))
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException notInstalled) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      reader.lines().forEach(line -> out.append(line).append('\n'));
    }
    if (!process.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return null;
    }
    Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
    return m.find() ? Double.parseDouble(m.group(1)) : null;
  }
}
