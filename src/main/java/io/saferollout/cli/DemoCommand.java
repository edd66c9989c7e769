package io.saferollout.cli;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import io.saferollout.lab.app.ShutdownStyle;
import io.saferollout.lab.cluster.ControlPlaneKind;
import io.saferollout.lab.cluster.SimulatedVersion;
import io.saferollout.lab.report.TimelineReport;
import io.saferollout.lab.scenario.Comparison;
import io.saferollout.lab.scenario.RunOutcome;
import io.saferollout.lab.scenario.RunProgress;
import io.saferollout.lab.scenario.RunResult;
import io.saferollout.lab.scenario.Scenario;
import io.saferollout.lab.scenario.ScenarioPlan;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the seed article's test in a local lab. A web Deployment with no",
      "readiness probe and no preStop hook, whose app answers 500 while it warms",
      "up, sits behind a Service carried by three simulated nodes; each node's",
      "kube-proxy forwards connections (an established one stays on its pod) and",
      "learns endpoint changes as kube-proxy does: no sooner than 1 s after its",
      "previous sync, plus a long-tailed apply time.",
      "",
      "Each scenario's runs go side by side: the naive Deployment, and the same",
      "Deployment under a SafeRollout with its defaults (the operator runs in",
      "process). Traffic (half keep-alive clients) starts before the SafeRollout",
      "exists: the operator's own adoption rollout is measured on its own line.",
      "Every failed request is counted. The app's shutdown style is the app's own",
      "(--app); no operator can make an app that exits at once graceful.",
      "Everything listens on loopback addresses only; no real cluster is touched.",
      "",
      "--control-plane real runs each lab on a real Kubernetes control plane of its",
      "own (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, built",
      "by controlplane/build.sh, which the demo runs first when the binaries are",
      "missing and the script is in the working directory); the lab's kubelet,",
      "pods, node proxies and the operator stay the same.",
      ""
    },
    footer = {
      "",
      "Scenarios: rolling-update, restart, scale-down, pod-kills, kills-during-rollout,",
      "  node-drain, one-replica, keepalive, mix",
      "",
      "Exit status: 0 when every hardened run lost zero requests after its",
      "adoption rollout (adoption losses are shown, not judged: pods created",
      "without a preStop hook cannot be given one; keepalive's immediate-exit",
      "control run is shown, not judged); 1 when one lost any, or the lab",
      "failed; 2 for bad input.",
      "",
      "Examples:",
      "  saferollout demo --quick",
      "  saferollout demo --quick --control-plane real",
      "  saferollout demo --scenario pod-kills --kills 10 --rps 300",
      "  saferollout demo --scenario keepalive",
      "  saferollout demo --scenario rolling-update --prestop-seconds 0",
      "  saferollout demo --scenario rolling-update,restart \\",
      "      --json results.json --report timeline.html",
      "",
      "Set SAFEROLLOUT_LOG_LEVEL=INFO to see the lab's and the operator's logs."
    })
public final class DemoCommand implements Callable<Integer>, LabCommand {

  /** What shells report for a process ended by Ctrl-C (128 + SIGINT). */
  private static final int EXIT_INTERRUPTED = 130;

  private static final List<Scenario> DEFAULT_SCENARIOS =
      List.of(Scenario.ROLLING_UPDATE, Scenario.POD_KILLS);

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      split = ",",
      paramLabel = "NAME",
      description =
          "scenario(s) to run, comma-separated or repeated (default: rolling-update,pod-kills; with --quick: mix)")
  List<String> scenarios = new ArrayList<>();

  @Option(
      names = "--rps",
      paramLabel = "N",
      description = "requests per second, spread over the nodes (default: 200; with --quick: 100)")
  Double rps;

  @Option(
      names = "--rollouts",
      paramLabel = "N",
      description = "rollouts per run (default: the scenario's own; with --quick: 1)")
  Integer rollouts;

  @Option(
      names = "--kills",
      paramLabel = "N",
      description =
          "random pod kills per run, 0 for none (default: the scenario's own; with --quick: 2)")
  Integer kills;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      defaultValue = "3",
      description = "pods of the Deployment (default: ${DEFAULT-VALUE})")
  int replicas;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "seed for pod kills, delays and service times (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--quick",
      description =
          "one short mixed run (1 rolling update, 2 pod kills, 100 requests/s): about two minutes")
  boolean quick;

  @Option(
      names = "--server-version",
      paramLabel = "1.x",
      defaultValue = "1.33",
      description = "Kubernetes version the lab pretends to be (default: ${DEFAULT-VALUE})")
  String serverVersion;

  @Option(
      names = "--control-plane",
      paramLabel = "KIND",
      defaultValue = "simulated",
      description =
          "simulated (the lab's own controllers on a mock API server) or real (a real Kubernetes"
              + " control plane per lab, from controlplane/build.sh) (default: ${DEFAULT-VALUE})")
  String controlPlane;

  @Option(
      names = "--address",
      paramLabel = "IP",
      defaultValue = "127.0.0.1",
      description = "loopback address for the Service's node proxies (default: ${DEFAULT-VALUE})")
  String address;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "first port of the node proxies; the demo uses 6 from there (default: free ports)")
  int port;

  @Option(
      names = "--prestop-seconds",
      paramLabel = "N",
      description =
          "the hardened run's preStop delay instead of the SafeRollout's default, for experiments (0 allowed)")
  Integer preStopSeconds;

  @Option(
      names = "--app",
      paramLabel = "STYLE",
      defaultValue = "graceful",
      description =
          "what the app does on SIGTERM in both runs: graceful, immediate or ignore (default: ${DEFAULT-VALUE})")
  String app;

  @Option(names = "--json", paramLabel = "FILE", description = "write each run's figures as JSON")
  File json;

  @Option(
      names = "--report",
      paramLabel = "FILE.html",
      description = "write a self-contained HTML report with a timeline of every run")
  File report;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    List<Scenario> chosen = scenarios();
    LabSettings settings = labSettings();
    LabWorkload workload = workload();
    String controlPlaneVersion = controlPlaneVersion(err, settings);
    List<ScenarioPlan> plans = plans(chosen);
    for (ScenarioPlan plan : plans) {
      if (workload.replicas() < 2 && plan.scenario().scalesDown(plan.rollouts())) {
        throw new BadInputException(
            "scenario "
                + plan.scenario()
                + " scales down by one pod: --replicas must be at least 2");
      }
    }
    checkWritable(json, "--json");
    checkWritable(report, "--report");
    checkPortsFree(settings);
    quietLogs();

    AtomicReference<Comparison> current = new AtomicReference<>();
    AtomicBoolean stopping = new AtomicBoolean();
    // Ctrl-C or SIGTERM: stop every pod, proxy, load generator and the operator before the JVM
    // goes.
    Thread hook =
        new Thread(
            () -> {
              stopping.set(true);
              Comparison c = current.getAndSet(null);
              if (c != null) {
                err.println();
                err.println("saferollout demo: interrupted; stopping the labs");
                err.flush();
                c.close();
              }
            },
            "saferollout-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ProgressLine progress = new ProgressLine(err);
    header(err, settings, workload, controlPlaneVersion);
    List<RunOutcome> outcomes = new ArrayList<>();
    try {
      for (ScenarioPlan plan : plans) {
        err.printf(
            "saferollout demo: %s (%s) - %d rollout(s), %d kill(s), %.0f requests/s, clients %s; runs side by side: %s%n",
            plan.scenario(),
            plan.scenario().description(),
            plan.rollouts(),
            plan.kills(),
            plan.ratePerSecond(),
            plan.clientMix(),
            plan.scenario().arms(workload.shutdown()).stream()
                .map(a -> a.label() + " (app " + a.app().annotationValue() + ")")
                .collect(Collectors.joining(", ")));
        err.flush();
        Comparison comparison;
        try {
          comparison = new Comparison(settings, workload, plan);
        } catch (IllegalStateException e) {
          throw new BadInputException("cannot start the lab: " + e.getMessage(), e);
        }
        current.set(comparison);
        try {
          progress.follow(comparison::progress);
          outcomes.addAll(comparison.execute());
        } catch (InterruptedException | RuntimeException e) {
          if (stopping.get()) {
            return EXIT_INTERRUPTED;
          }
          throw e;
        } finally {
          progress.stop();
          current.set(null);
          comparison.close();
        }
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is already running and stops the labs.
      }
    }

    List<RunResult> results = outcomes.stream().map(RunOutcome::result).toList();
    out.println();
    out.print(DemoTable.render(results));
    if (json != null) {
      writeJson(results, settings.controlPlane(), controlPlaneVersion);
    }
    if (report != null) {
      Files.writeString(report.toPath(), TimelineReport.html(outcomes), StandardCharsets.UTF_8);
      err.println("saferollout demo: report written to " + report);
    }
    long hardenedLost =
        results.stream()
            .filter(r -> r.hardened() && !r.control())
            .mapToLong(RunResult::failed)
            .sum();
    long naiveLost = results.stream().filter(r -> !r.hardened()).mapToLong(RunResult::failed).sum();
    long adoptionLost =
        results.stream()
            .filter(r -> r.adoption() != null && !r.control())
            .mapToLong(r -> r.adoption().failed())
            .sum();
    out.println();
    out.printf(
        "Adoption: the operator's own rollout of the live Deployment lost %d request(s)%s.%n",
        adoptionLost,
        adoptionLost == 0
            ? ""
            : " (its old pods had no preStop hook, and a running pod cannot be given one)");
    if (hardenedLost == 0) {
      out.printf(
          "After adoption, under SafeRollout no request was lost (the naive Deployment lost %d).%n",
          naiveLost);
      return 0;
    }
    out.printf(
        "After adoption, under SafeRollout %d request(s) were lost: see the failure classes above.%n",
        hardenedLost);
    return 1;
  }

  private List<Scenario> scenarios() {
    if (scenarios.isEmpty()) {
      return quick ? List.of(Scenario.MIX) : DEFAULT_SCENARIOS;
    }
    Set<Scenario> chosen = new LinkedHashSet<>();
    for (String name : scenarios) {
      chosen.add(
          Scenario.byId(name)
              .orElseThrow(
                  () ->
                      new BadInputException(
                          "unknown scenario '" + name + "'; valid scenarios: " + Scenario.ids())));
    }
    return List.copyOf(chosen);
  }

  private List<ScenarioPlan> plans(List<Scenario> chosen) {
    double rate = rps != null ? rps : quick ? 100 : 200;
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new BadInputException("--rps must be a positive number, got " + rps);
    }
    if (rollouts != null && rollouts <= 0) {
      throw new BadInputException("--rollouts must be a positive number, got " + rollouts);
    }
    if (kills != null && kills < 0) {
      throw new BadInputException("--kills must be 0 or more, got " + kills);
    }
    List<ScenarioPlan> plans = new ArrayList<>();
    for (Scenario s : chosen) {
      int r = rollouts != null ? rollouts : quick ? 1 : s.defaultRollouts();
      int k = kills != null ? kills : quick ? 2 : s.defaultKills();
      if (r + k == 0) {
        throw new BadInputException(
            "scenario " + s + " would do nothing: pass --rollouts or --kills");
      }
      plans.add(ScenarioPlan.of(s, rate, seed).withCounts(r, k));
    }
    return plans;
  }

  private LabWorkload workload() {
    ShutdownStyle style;
    try {
      style = ShutdownStyle.valueOf(app.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          "--app must be graceful, immediate or ignore, got '" + app + "'", e);
    }
    if (preStopSeconds != null && (preStopSeconds < 0 || preStopSeconds > 300)) {
      throw new BadInputException(
          "--prestop-seconds must be between 0 and 300, got " + preStopSeconds);
    }
    if (replicas < 1 || replicas > 50) {
      throw new BadInputException("--replicas must be between 1 and 50, got " + replicas);
    }
    LabWorkload w = LabWorkload.articleDefaults().withReplicas(replicas).withShutdown(style);
    return preStopSeconds == null ? w : w.withPreStopSeconds(preStopSeconds);
  }

  /**
   * The version the labs' API servers report; on the real control plane, after building it if it is
   * missing and can be built from here.
   */
  private static String controlPlaneVersion(PrintWriter err, LabSettings settings) {
    if (settings.controlPlane() == ControlPlaneKind.SIMULATED) {
      return "v" + SimulatedVersion.parse(settings.serverVersion()) + ".0";
    }
    return "v" + ControlPlaneBuild.ensureBuilt(err, Path.of("").toAbsolutePath()).version();
  }

  /** The lab's shape, before anything runs: what the comparison is made against. */
  private static void header(
      PrintWriter err, LabSettings settings, LabWorkload workload, String controlPlaneVersion) {
    err.printf(
        "saferollout demo: control plane: %s, Kubernetes %s (%s)%n",
        settings.controlPlane().id(),
        controlPlaneVersion,
        settings.controlPlane() == ControlPlaneKind.REAL
            ? "etcd, kube-apiserver, kube-controller-manager and kube-scheduler per lab; the"
                + " lab's kubelet runs the pods"
            : "mock API server with the lab's own Deployment, ReplicaSet and EndpointSlice"
                + " controllers");
    err.printf(
        "saferollout demo: lab of %d node(s): %s%n",
        settings.proxies(), settings.network().describe());
    err.printf(
        "saferollout demo: app: %d replica(s), listens after %d ms, answers 500 for %d ms, on SIGTERM: %s%n",
        workload.replicas(),
        workload.listenDelay().toMillis(),
        workload.warmup().toMillis(),
        workload.shutdown().annotationValue());
    err.printf(
        "saferollout demo: hardened run: SafeRollout defaults%s%n",
        workload.preStopSeconds().isPresent()
            ? " except --prestop-seconds: preStop Fixed "
                + workload.effectivePreStopSeconds()
                + " s"
            : "; preStop Auto (measured by the operator; "
                + workload.effectivePreStopSeconds()
                + " s until it has measured)");
    err.flush();
  }

  private LabSettings labSettings() {
    if (port < 0 || port > 65_535 - 5) {
      throw new BadInputException("--port must be 0 (free ports) or 1-65530, got " + port);
    }
    ControlPlaneKind kind;
    try {
      kind = ControlPlaneKind.fromId(controlPlane.trim());
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--control-plane: " + e.getMessage(), e);
    }
    if (kind == ControlPlaneKind.REAL
        && spec.commandLine().getParseResult().hasMatchedOption("--server-version")) {
      throw new BadInputException(
          "--server-version sets the simulated control plane's version; the real one is the"
              + " release controlplane/build.sh builds");
    }
    try {
      return LabSettings.defaults()
          .withServerVersion(serverVersion)
          .withSeed(seed)
          .withProxyAddress(address, port)
          .withControlPlane(kind);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(
          e.getMessage()
              .replace("proxy address", "--address")
              .replace(
                  "invalid Kubernetes version", "--server-version: invalid Kubernetes version"),
          e);
    }
  }

  /** A port in use or an address that cannot be bound fails here, before any lab starts. */
  private static void checkPortsFree(LabSettings settings) {
    int count = settings.firstProxyPort() == 0 ? 1 : 2 * settings.proxies();
    for (int i = 0; i < count; i++) {
      int p = settings.firstProxyPort() == 0 ? 0 : settings.firstProxyPort() + i;
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getByName(settings.proxyHost()), p));
      } catch (IOException e) {
        throw new BadInputException(
            "cannot listen on "
                + settings.proxyHost()
                + ":"
                + p
                + " ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + "); the demo needs "
                + count
                + " free port(s) from there: choose another --port or --address",
            e);
      }
    }
  }

  private static void checkWritable(File file, String option) {
    if (file == null) {
      return;
    }
    File dir = file.getAbsoluteFile().getParentFile();
    if (file.isDirectory() || dir == null || !dir.isDirectory() || !dir.canWrite()) {
      throw new BadInputException(
          option + " " + file + ": cannot write there (no such directory, or not writable)");
    }
  }

  private void writeJson(List<RunResult> results, ControlPlaneKind kind, String version)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    Map<String, String> controlPlane = new LinkedHashMap<>();
    controlPlane.put("kind", kind.id());
    controlPlane.put("version", version);
    doc.put("controlPlane", controlPlane);
    doc.put("runs", results);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json, doc);
  }

  /**
   * The lab's controllers and the operator log every step at INFO and benign retries at WARN;
   * between the live progress line and the table they would bury the result. Kept unless asked.
   */
  private static void quietLogs() {
    if (System.getenv("SAFEROLLOUT_LOG_LEVEL") != null) {
      return;
    }
    for (String name : List.of("io.saferollout", "io.fabric8", "io.javaoperatorsdk", "io.vertx")) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        logger.setLevel(Level.ERROR);
      }
    }
  }

  static String describe(RunProgress p) {
    return String.format(
        Locale.ROOT,
        "%s (app %s): %s, %d requests, %d failed",
        p.arm().label(),
        p.arm().app().annotationValue(),
        p.phase(),
        p.requests(),
        p.failed());
  }

  static String describe(List<RunProgress> runs) {
    return runs.isEmpty()
        ? ""
        : "["
            + runs.get(0).scenario()
            + "] "
            + runs.stream().map(DemoCommand::describe).collect(Collectors.joining(" | "));
  }
}
