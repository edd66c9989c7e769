package io.saferollout.bench;

import io.saferollout.cli.SafeRolloutCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long does {@code saferollout lint} take on a big bundle, and how much heap does it need?
 * Generates 1,000 Deployments (each with a Service; every fourth already hardened) into one
 * multi-document file, then lints it (JSON output, all severities) and hardens it, cold and warm.
 * Prints numbers, asserts nothing.
 *
 * <p>Run: {@code ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * && java -Xmx512m -cp target/classes:target/test-classes:$(cat target/cp.txt)
 * io.saferollout.bench.LintBench}.
 */
public final class LintBench {
  private static final int DEPLOYMENTS = 1_000;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("lint-bench");
    Path file = dir.resolve("bundle.yaml");
    Files.writeString(file, bundle(DEPLOYMENTS));
    System.out.printf(
        "bundle: %d Deployments + %d Services, %d documents, %.1f MiB, %d lines%n",
        DEPLOYMENTS,
        DEPLOYMENTS,
        2 * DEPLOYMENTS,
        Files.size(file) / 1048576.0,
        Files.readAllLines(file).size());

    for (int round = 1; round <= 3; round++) {
      measure(
          "lint   round " + round,
          "lint",
          "--format",
          "json",
          "--min-severity",
          "INFO",
          file.toString());
    }
    for (int round = 1; round <= 2; round++) {
      measure("harden round " + round, "harden", file.toString());
    }
    Files.delete(file);
    Files.delete(dir);
  }

  private static void measure(String label, String... args) throws InterruptedException {
    System.gc();
    long before = usedHeap();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    AtomicLong sampledPeak = new AtomicLong(before);
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                sampledPeak.accumulateAndGet(usedHeap(), Math::max);
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    CountingWriter out = new CountingWriter();
    long start = System.nanoTime();
    int code =
        SafeRolloutCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), args);
    long wallMs = (System.nanoTime() - start) / 1_000_000;
    sampler.interrupt();
    sampler.join();
    // The pools' peaks include garbage not yet collected; the sampled figure is what was in use.
    long poolPeak =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .mapToLong(p -> p.getPeakUsage().getUsed())
            .sum();
    System.out.printf(
        "%s: exit %d, %5d ms wall, heap used before %4d MiB, peak used (sampled) %4d MiB, "
            + "sum of heap pool peaks %4d MiB, output %.1f MiB%n",
        label,
        code,
        wallMs,
        before >> 20,
        sampledPeak.get() >> 20,
        poolPeak >> 20,
        out.chars / 1048576.0);
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String bundle(int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      boolean hardened = i % 4 == 0;
      out.append(
          """
          ---
          # Source: app-%1$d/templates/deployment.yaml
          apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: app-%1$d
            namespace: team-%2$d
          spec:
            replicas: %3$d
            selector:
              matchLabels:
                app: app-%1$d
            template:
              metadata:
                labels:
                  app: app-%1$d
              spec:
                containers:
                  - name: app
                    image: registry.example.com/app-%1$d:1.0.%1$d
                    ports:
                      - name: http
                        containerPort: 8080
          """
              .formatted(i, i % 10, 2 + i % 3));
      if (hardened) {
        out.append(
            """
                      readinessProbe:
                        httpGet:
                          path: /healthz
                          port: http
                      lifecycle:
                        preStop:
                          sleep:
                            seconds: 15
            """);
      }
      out.append(
          """
          ---
          apiVersion: v1
          kind: Service
          metadata:
            name: app-%1$d
            namespace: team-%2$d
          spec:
            selector:
              app: app-%1$d
            ports:
              - port: 80
                targetPort: http
          """
              .formatted(i, i % 10));
    }
    return out.toString();
  }

  /**
   * Counts what lint writes without keeping it, so the output does not weigh on the heap figures.
   */
  private static final class CountingWriter extends Writer {
    long chars;

    @Override
    public void write(char[] buf, int off, int len) {
      chars += len;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private LintBench() {}
}
