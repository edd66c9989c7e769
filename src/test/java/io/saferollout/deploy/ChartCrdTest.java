package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.api.CrdIsGeneratedFromModelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The chart installs the CRD generated from the Java model: its copy is written and checked byte
 * for byte by {@link CrdIsGeneratedFromModelTest}.
 */
class ChartCrdTest {
  static final String CRD_FILE = CrdIsGeneratedFromModelTest.CRD_FILE;
  static final Path IN_CHART = CrdIsGeneratedFromModelTest.CHART_COPY;

  @Test
  void theCrdTestWritesItsCopyIntoThisChart() {
    assertThat(IN_CHART).isEqualTo(ChartRenderer.CHART.resolve("crds").resolve(CRD_FILE));
  }

  @Test
  void chartHoldsNoOtherCrd() throws IOException {
    try (var files = Files.list(IN_CHART.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(CRD_FILE);
    }
  }
}
