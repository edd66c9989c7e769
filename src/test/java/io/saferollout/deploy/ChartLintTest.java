package io.saferollout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** `helm lint --strict`: the chart is well-formed and renders with its defaults. */
class ChartLintTest {
  @Test
  void chartPassesStrictHelmLint() {
    LintResult result = new Helm(ChartRenderer.CHART).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }
}
