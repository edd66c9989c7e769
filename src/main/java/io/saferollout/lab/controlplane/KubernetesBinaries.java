package io.saferollout.lab.controlplane;

import io.fabric8.kubeapitest.Utils;
import io.fabric8.kubeapitest.binary.OSInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the control plane's binaries are: the directory {@code controlplane/build.sh} fills, laid
 * out as kube-api-test's offline mode reads it ({@code <cache>/k8s/<version>-linux-amd64/}). The
 * cache is {@code $SAFEROLLOUT_K8S_CACHE}, else {@code ~/.cache/saferollout}, as in the script.
 */
public record KubernetesBinaries(Path directory, String version) {

  /**
   * The release {@code controlplane/go.mod} pins (a test holds the two equal): the binaries are
   * built from exactly this version, and tests that depend on a version-specific rule read it here.
   */
  public static final String PINNED_VERSION = "1.37.2";

  /** The build command, for messages that say how to get the binaries. */
  public static final String BUILD_COMMAND = "controlplane/build.sh";

  static final List<String> COMMANDS =
      List.of("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl");

  /** The pinned release's binaries, or a message naming what is missing and how to build it. */
  public static Lookup locate() {
    return locate(cacheDirectory(), PINNED_VERSION);
  }

  static Lookup locate(Path cache, String version) {
    Path dir = cache.resolve("k8s").resolve(version + platformSuffix());
    List<String> missing =
        COMMANDS.stream()
            .filter(c -> !Files.isExecutable(dir.resolve(c)))
            .collect(Collectors.toList());
    if (missing.isEmpty()) {
      return new Lookup(Optional.of(new KubernetesBinaries(dir, version)), "");
    }
    return new Lookup(
        Optional.empty(),
        "the Kubernetes "
            + version
            + " control plane is not built: "
            + String.join(", ", missing)
            + " missing in "
            + dir
            + "; build it with `"
            + BUILD_COMMAND
            + "` (needs Go; takes minutes once, then it is cached)");
  }

  public Path binary(String command) {
    return directory.resolve(command);
  }

  /** The cache root: the same rule as {@code controlplane/build.sh}. */
  public static Path cacheDirectory() {
    String configured = System.getenv("SAFEROLLOUT_K8S_CACHE");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "saferollout");
  }

  /** kube-api-test's own platform suffix ({@code -linux-amd64}), so both name the same folder. */
  static String platformSuffix() {
    return Utils.platformSuffix(new OSInfo());
  }

  /** The binaries, or why there are none. */
  public record Lookup(Optional<KubernetesBinaries> binaries, String problem) {
    public boolean found() {
      return binaries.isPresent();
    }
  }
}
