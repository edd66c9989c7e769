package io.saferollout.lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * One lab brought up, sent traffic through every node and closed: what {@link LabsSideBySideTest}
 * runs in this JVM and, through {@link #main}, in a second one. Every lab asks for the same pod
 * network (the default), so without a working claim two of them would share addresses.
 */
public final class SideBySideLabRun {

  static final String DONE = "side-by-side lab ok in ";
  private static final Duration SETUP = Duration.ofSeconds(120);

  private SideBySideLabRun() {}

  /** Exit code 0 and a line starting with {@link #DONE} when the lab worked. */
  public static void main(String[] args) {
    try {
      String range = run(Lab.start(LabSettings.defaults()));
      System.out.println(DONE + range);
      System.exit(0);
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Deploys, waits for every node to route to every pod, sends 20 requests per node; closes the
   * lab; returns its range.
   */
  static String run(Lab lab) throws Exception {
    try (lab) {
      LabWorkload workload = LabWorkload.articleDefaults().withWarmup(Duration.ZERO);
      lab.deploy(workload);
      Instant deadline = Instant.now().plus(SETUP);
      while (!(lab.dataPlane().converged()
          && lab.dataPlane().proxies().get(0).knownEndpoints().size() == workload.replicas())) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("lab in " + lab.network() + " did not converge within " + SETUP);
        }
        Thread.sleep(100);
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      for (URI url : lab.serviceUrls()) {
        for (int i = 0; i < 20; i++) {
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() != 200) {
            throw new AssertionError(
                url + " answered " + response.statusCode() + ": " + response.body());
          }
        }
      }
      return lab.network().toString();
    }
  }
}
