package io.saferollout.cli;

import io.saferollout.api.Mode;
import io.saferollout.harden.HardenedFile;
import io.saferollout.harden.ManifestHardener;
import io.saferollout.harden.UnifiedDiff;
import io.saferollout.manifest.MalformedManifestException;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.rules.ClusterCapabilities;
import io.saferollout.rules.HardeningPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "harden",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = {
      "Print the manifests with the zero-downtime fixes applied, for GitOps repositories: the same rules "
          + "and the same changes the operator would make.",
      "Only Deployments change, and only the fields a rule needs. Files are edited, not rewritten: "
          + "comments, quoting, flow or block style, key order, '---' lines and Helm's '# Source:' lines "
          + "stay byte for byte; new fields follow the file's indentation and style, and strings that look "
          + "like numbers or booleans are written quoted. JSON stays JSON in its own layout. Gaps only you "
          + "can fix are summarized on standard error; `saferollout lint` explains them.",
      "Exit codes: 0 done, 2 bad input."
    },
    footer = {
      "",
      "Examples:",
      "  saferollout harden app.yaml > app.hardened.yaml",
      "  saferollout harden --diff deploy/              # review as a unified diff",
      "  saferollout harden --in-place --readiness-path /healthz deploy/",
      "  saferollout harden --server-version 1.28 app.yaml   # exec sleep",
      "  helm template my-chart | saferollout harden -"
    })
final class HardenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "PATH",
      arity = "1..*",
      description = "files, directories (searched recursively), or - for standard input")
  List<String> paths;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "FillMissing",
      description =
          "FillMissing adds what is missing and keeps your values; Enforce also replaces unsafe values "
              + "(default: ${DEFAULT-VALUE})")
  Mode mode;

  @Option(names = "--diff", description = "print a unified diff instead of the manifests")
  boolean diff;

  @Option(names = "--in-place", description = "rewrite the files (only those that change)")
  boolean inPlace;

  @Mixin PolicyOptions policy;

  @Override
  public Integer call() throws IOException {
    if (mode == Mode.Audit) {
      throw new BadInputException(
          "--mode Audit changes nothing; use `saferollout lint` to report the gaps");
    }
    if (inPlace && paths.contains("-")) {
      throw new BadInputException("--in-place cannot rewrite standard input");
    }
    HardeningPolicy hardening = policy.policy(mode);
    ClusterCapabilities caps = policy.capabilities();
    List<ManifestFile> files = ManifestArguments.read(paths, System.in);
    List<HardenedFile> hardened;
    try {
      hardened = files.stream().map(f -> ManifestHardener.harden(f, hardening, caps)).toList();
    } catch (MalformedManifestException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (diff) {
      for (HardenedFile file : hardened) {
        out.print(
            UnifiedDiff.of(file.original().source().name(), file.original().text(), file.text()));
      }
    } else if (!inPlace) {
      printAll(out, hardened);
    }
    if (inPlace) {
      for (HardenedFile file : hardened) {
        if (file.changed()) {
          // Written next to the file, then moved over it: a failure never leaves a half-written
          // manifest.
          var path = file.original().source().path();
          var temp =
              Files.createTempFile(path.toAbsolutePath().getParent(), ".saferollout-", ".tmp");
          Files.writeString(temp, file.text(), StandardCharsets.UTF_8);
          Files.move(
              temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    }
    out.flush();
    summarize(spec.commandLine().getErr(), hardened);
    return 0;
  }

  /** Several files become one stream of documents, as kubectl apply -f - reads it. */
  private static void printAll(PrintWriter out, List<HardenedFile> files) {
    boolean first = true;
    for (HardenedFile file : files) {
      String text = file.text();
      if (!first && !text.startsWith("---")) {
        out.print("---\n");
      }
      out.print(text);
      if (!text.isEmpty() && !text.endsWith("\n")) {
        out.print("\n");
      }
      first = false;
    }
  }

  private static void summarize(PrintWriter err, List<HardenedFile> files) {
    long deployments = files.stream().mapToLong(f -> f.deployments().size()).sum();
    long changedDeployments =
        files.stream()
            .flatMap(f -> f.deployments().stream())
            .filter(d -> !d.changes().isEmpty())
            .count();
    long changes = files.stream().mapToLong(HardenedFile::changeCount).sum();
    long left =
        files.stream()
            .flatMap(f -> f.deployments().stream())
            .mapToLong(d -> d.findingsLeft().size())
            .sum();
    err.printf(
        "saferollout: %d of %d Deployments hardened (%d changes)%s%n",
        changedDeployments,
        deployments,
        changes,
        left == 0 ? "" : "; " + left + " findings need you: run `saferollout lint` on the result");
    err.flush();
  }
}
