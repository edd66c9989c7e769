package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `saferollout run` refuses bad input with one clear line and exit code 2. */
class RunCommandTest {
  @TempDir Path dir;

  @Test
  void aMissingKubeconfigIsNamed() {
    assertThat(run("run", "--kubeconfig", dir.resolve("nope.yaml").toString()))
        .isEqualTo(
            new Outcome(
                2, "saferollout: --kubeconfig " + dir.resolve("nope.yaml") + ": no such file"));
  }

  @Test
  void anUnreachableApiServerIsNamedWithItsAddress() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        users: [{name: u, user: {token: abc}}]
        """);
    Outcome o = run("run", "--kubeconfig", kubeconfig.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err())
        .startsWith("saferollout: cannot reach the Kubernetes API at https://127.0.0.1:1/");
  }

  @Test
  void leaderElectionWithoutALeaseNamespaceIsRefused() {
    Outcome o = run("run", "--leader-election", "--lease-namespace", "");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("--leader-election needs --lease-namespace");
  }

  @Test
  void anUnknownOptionIsBadInput() {
    assertThat(run("run", "--bogus").code()).isEqualTo(2);
  }

  record Outcome(int code, String err) {}

  private static Outcome run(String... args) {
    var err = new java.io.ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      int code = SafeRolloutCli.execute(args);
      return new Outcome(code, err.toString().strip());
    } finally {
      System.setErr(old);
    }
  }
}
