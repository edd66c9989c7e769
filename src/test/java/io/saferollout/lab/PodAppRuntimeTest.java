package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.saferollout.lab.app.AppBehaviour;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.cluster.ContainerRole;
import io.saferollout.lab.cluster.RunningContainer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime adapter: what the pod template's annotations say is what the container's server does.
 */
class PodAppRuntimeTest {

  // Generous: a loaded 2-core machine may take a while to open a listener or deliver a signal.
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void annotationsDescribeTheApp() {
    Pod pod =
        pod(
            Map.of(
                AppAnnotations.LISTEN_DELAY_MS,
                "200",
                AppAnnotations.WARMUP_MS,
                "1500",
                AppAnnotations.SHUTDOWN,
                "naive",
                AppAnnotations.SERVICE_TIME_MS,
                "5-20",
                AppAnnotations.HEALTH_PATH,
                "/ready"),
            app());
    AppBehaviour b = AppAnnotations.appBehaviour(pod, 7);
    assertThat(b.listenDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(b.warmup()).isEqualTo(Duration.ofMillis(1500));
    assertThat(b.shutdown()).isEqualTo(ShutdownStyle.IMMEDIATE);
    assertThat(b.minServiceTime()).isEqualTo(Duration.ofMillis(5));
    assertThat(b.maxServiceTime()).isEqualTo(Duration.ofMillis(20));
    assertThat(b.readinessPath()).isEqualTo("/ready");

    for (ShutdownStyle style : ShutdownStyle.values()) {
      assertThat(
              AppAnnotations.appBehaviour(
                      pod(Map.of(AppAnnotations.SHUTDOWN, style.annotationValue()), app()), 7)
                  .shutdown())
          .isEqualTo(style);
    }
    assertThat(
            AppAnnotations.appBehaviour(pod(Map.of(AppAnnotations.SHUTDOWN, " Ignore "), app()), 7)
                .shutdown())
        .isEqualTo(ShutdownStyle.IGNORE);

    AppBehaviour unset = AppAnnotations.appBehaviour(pod(Map.of(), app()), 7);
    assertThat(unset.shutdown())
        .as("a well-behaved app unless told otherwise")
        .isEqualTo(ShutdownStyle.GRACEFUL);
    assertThat(unset.warmup()).isZero();
  }

  @Test
  void malformedAnnotationIsNamedInTheError() {
    assertThatThrownBy(
            () ->
                AppAnnotations.appBehaviour(
                    pod(Map.of(AppAnnotations.WARMUP_MS, "soon"), app()), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(AppAnnotations.WARMUP_MS)
        .hasMessageContaining("'soon'");
    assertThatThrownBy(
            () ->
                AppAnnotations.appBehaviour(
                    pod(Map.of(AppAnnotations.SHUTDOWN, "polite"), app()), 1))
        .hasMessageContaining("'immediate', 'graceful' or 'ignore'")
        .hasMessageContaining("'polite'");
    assertThatThrownBy(
            () ->
                AppAnnotations.appBehaviour(
                    pod(Map.of(AppAnnotations.SERVICE_TIME_MS, "20-5"), app()), 1))
        .hasMessageContaining("ends before it starts");
  }

  @Test
  void appContainerWarmsUpThenServesAndANaiveOneExitsAtOnceOnSigterm() throws Exception {
    Pod pod = pod(Map.of(AppAnnotations.WARMUP_MS, "800", AppAnnotations.SHUTDOWN, "naive"), app());
    RunningContainer c =
        new PodAppRuntime(vertx, 1).start(pod, app(), "127.77.0.1", ContainerRole.APP);

    await().atMost(WAIT).until(() -> status("http://127.77.0.1:8080/") != -1);
    // The first answers come during the annotated warm-up; 800 ms is long enough to see one.
    assertThat(status("http://127.77.0.1:8080/")).isIn(500, 200);
    await().atMost(WAIT).until(() -> status("http://127.77.0.1:8080/") == 200);
    assertThat(status("http://127.77.0.1:8080/healthz")).isEqualTo(200);

    c.sigterm();
    c.exited().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(status("http://127.77.0.1:8080/")).as("connection refused after exit").isEqualTo(-1);
  }

  @Test
  void sidecarContainerForwardsToTheAppContainer() throws Exception {
    Container sidecar =
        new ContainerBuilder()
            .withName("proxy")
            .withImage("envoy")
            .addNewPort()
            .withContainerPort(15001)
            .endPort()
            .build();
    Pod pod = pod(Map.of(), app(), sidecar);
    PodAppRuntime runtime = new PodAppRuntime(vertx, 1);
    RunningContainer appContainer = runtime.start(pod, app(), "127.77.0.2", ContainerRole.APP);
    RunningContainer proxy =
        runtime.start(pod, sidecar, "127.77.0.2", ContainerRole.CLASSIC_SIDECAR);

    await().atMost(WAIT).until(() -> body("http://127.77.0.2:15001/").contains("served by web-1"));

    proxy.sigkill();
    appContainer.sigkill();
    proxy.exited().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    appContainer.exited().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aContainerWhoseAddressIsTakenExitsAtOnceWithTheBindError() throws Exception {
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress("127.77.0.4", 8080));
      RunningContainer c =
          new PodAppRuntime(vertx, 1)
              .start(pod(Map.of(), app()), app(), "127.77.0.4", ContainerRole.APP);

      assertThatThrownBy(() -> c.exited().get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .hasMessage("listen tcp 127.77.0.4:8080: bind: address already in use");
    }
  }

  @Test
  void containerWithoutAPortIsRefusedWithAReason() {
    Container bare = new ContainerBuilder().withName("web").withImage("web").build();
    assertThatThrownBy(
            () ->
                new PodAppRuntime(vertx, 1)
                    .start(pod(Map.of(), bare), bare, "127.77.0.3", ContainerRole.APP))
        .hasMessageContaining("declares no port");
  }

  private static Container app() {
    return new ContainerBuilder()
        .withName("web")
        .withImage("lab/web:v1")
        .addNewPort()
        .withContainerPort(8080)
        .endPort()
        .build();
  }

  private static Pod pod(Map<String, String> annotations, Container... containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-1")
        .withNamespace("demo")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withContainers(containers)
        .endSpec()
        .build();
  }

  /** The status, or -1 when the connection was refused. */
  private int status(String url) throws IOException, InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (ConnectException e) {
      return -1;
    }
  }

  private String body(String url) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    }
  }
}
