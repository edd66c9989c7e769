package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.api.SafeRollout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The chart installs the CRD generated from the Java model, byte for byte. */
class ChartCrdTest {
  static final String CRD_FILE = SafeRollout.CRD_NAME + "-v1.yml";
  static final Path GENERATED = Path.of("crd", CRD_FILE);
  static final Path IN_CHART = ChartRenderer.CHART.resolve("crds").resolve(CRD_FILE);

  @Test
  void chartCrdIsAnExactCopyOfTheGeneratedCrd() throws IOException {
    assertThat(IN_CHART).exists();
    assertThat(Files.readString(IN_CHART))
        .as("%s differs from %s: copy it (cp %s %s)", IN_CHART, GENERATED, GENERATED, IN_CHART)
        .isEqualTo(Files.readString(GENERATED));
  }

  @Test
  void chartHoldsNoOtherCrd() throws IOException {
    try (var files = Files.list(IN_CHART.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(CRD_FILE);
    }
  }
}
