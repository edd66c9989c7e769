package io.saferollout.realapi;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.saferollout.lab.controlplane.ControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ways users put a Deployment on a cluster, each writing as the real tool does: the kubectl
 * binary of the pinned release (client- and server-side apply), Helm's library (install, upgrade),
 * and server-side apply under a GitOps controller's field manager (how Argo CD with {@code
 * ServerSideApply=true} and Flux's kustomize-controller sync).
 */
public final class RealClients {

  /**
   * The chart under {@code src/test/resources/real-api/chart}: one Deployment named as the release.
   */
  public static final Path CHART = Path.of("src", "test", "resources", "real-api", "chart");

  private final ControlPlane cp;
  private final KubernetesClient admin;

  public RealClients(ControlPlane cp, KubernetesClient admin) {
    this.cp = cp;
    this.admin = admin;
  }

  /** What kubectl printed (stdout and stderr) and its exit code. */
  public record KubectlRun(int exitCode, String output) {
    public KubectlRun succeeded() {
      if (exitCode != 0) {
        throw new AssertionError("kubectl exited " + exitCode + ": " + output);
      }
      return this;
    }
  }

  /** {@code kubectl apply -f} of the object written to a file, as a user would. */
  public KubectlRun kubectlApply(HasMetadata object, String... flags) {
    Path manifest = manifestFile(object);
    try {
      List<String> args = new ArrayList<>(List.of("apply", "-f", manifest.toString()));
      args.addAll(List.of(flags));
      return kubectl(args.toArray(String[]::new));
    } finally {
      delete(manifest);
    }
  }

  /** {@code kubectl ARGS -f} the object written to a file ({@code create}, {@code replace}...). */
  public KubectlRun kubectlWith(HasMetadata object, String... args) {
    Path manifest = manifestFile(object);
    try {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("-f", manifest.toString()));
      return kubectl(all.toArray(String[]::new));
    } finally {
      delete(manifest);
    }
  }

  /** Runs the pinned kubectl with the admin kubeconfig. */
  public KubectlRun kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(cp.binaries().binary("kubectl").toString());
    command.add("--kubeconfig=" + cp.adminKubeconfig());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl did not finish in 60 s: " + command);
      }
      return new KubectlRun(process.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code helm install} of {@link #CHART}: the Deployment is named after the release. */
  public void helmInstall(String release, String namespace) {
    new Helm(CHART)
        .install()
        .withName(release)
        .withNamespace(namespace)
        .withKubeConfig(cp.adminKubeconfig())
        .call();
  }

  /** {@code helm upgrade} of the same chart with the same values. */
  public void helmUpgrade(String release, String namespace) {
    new Helm(CHART)
        .upgrade()
        .withName(release)
        .withNamespace(namespace)
        .withKubeConfig(cp.adminKubeconfig())
        .call();
  }

  /** A forced server-side apply under the given field manager, as a GitOps controller syncs. */
  public <T extends HasMetadata> T serverSideApply(T object, String fieldManager) {
    return admin.resource(object).fieldManager(fieldManager).forceConflicts().serverSideApply();
  }

  private static Path manifestFile(HasMetadata object) {
    try {
      Path file = Files.createTempFile("manifest", ".yaml");
      Files.writeString(file, Serialization.asYaml(object));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
