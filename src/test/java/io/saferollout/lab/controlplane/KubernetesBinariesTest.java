package io.saferollout.lab.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesBinariesTest {

  private static final Path GO_MOD = Path.of("controlplane", "go.mod");

  @Test
  void thePinnedVersionIsTheOneTheGoModuleBuilds() throws IOException {
    String goMod = Files.readString(GO_MOD);
    Matcher require = Pattern.compile("(?m)^\\s*k8s\\.io/kubernetes (v\\S+)").matcher(goMod);
    assertThat(require.find()).as("k8s.io/kubernetes in %s", GO_MOD).isTrue();
    assertThat(require.group(1)).isEqualTo("v" + KubernetesBinaries.PINNED_VERSION);
  }

  @Test
  void everyStagingModuleIsPinnedToTheMatchingRelease() throws IOException {
    String goMod = Files.readString(GO_MOD);
    String staging = "v0." + KubernetesBinaries.PINNED_VERSION.substring("1.".length());
    Matcher replace =
        Pattern.compile("(?m)^\\s*(k8s\\.io/[\\w-]+) => (k8s\\.io/[\\w-]+) (v\\S+)$")
            .matcher(goMod);
    int replaced = 0;
    while (replace.find()) {
      replaced++;
      assertThat(replace.group(2)).isEqualTo(replace.group(1));
      assertThat(replace.group(3)).as(replace.group(1)).isEqualTo(staging);
    }
    // api, apimachinery, apiserver, client-go, … : the release has about thirty.
    assertThat(replaced).isGreaterThan(25);
  }

  @Test
  void missingBinariesAreNamedWithTheCommandThatBuildsThem(@TempDir Path cache) throws IOException {
    Path dir = cache.resolve("k8s").resolve("1.37.2" + KubernetesBinaries.platformSuffix());
    Files.createDirectories(dir);
    for (String present : List.of("etcd", "kube-apiserver", "kubectl")) {
      Path file = Files.createFile(dir.resolve(present));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    KubernetesBinaries.Lookup lookup = KubernetesBinaries.locate(cache, "1.37.2");

    assertThat(lookup.found()).isFalse();
    assertThat(lookup.problem())
        .contains("kube-controller-manager, kube-scheduler missing in " + dir)
        .contains("controlplane/build.sh");
  }

  @Test
  void allFiveExecutablesMakeTheBinariesFound(@TempDir Path cache) throws IOException {
    Path dir = cache.resolve("k8s").resolve("1.37.2" + KubernetesBinaries.platformSuffix());
    Files.createDirectories(dir);
    for (String command : KubernetesBinaries.COMMANDS) {
      Path file = Files.createFile(dir.resolve(command));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    KubernetesBinaries.Lookup lookup = KubernetesBinaries.locate(cache, "1.37.2");

    assertThat(lookup.binaries()).hasValue(new KubernetesBinaries(dir, "1.37.2"));
  }
}
