package io.saferollout.cli;

import io.saferollout.api.Mode;
import io.saferollout.lint.LintFormat;
import io.saferollout.lint.LintReport;
import io.saferollout.lint.LintSettings;
import io.saferollout.lint.Linter;
import io.saferollout.manifest.MalformedManifestException;
import io.saferollout.manifest.ManifestFile;
import io.saferollout.rules.Rule;
import io.saferollout.rules.Severity;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "lint",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = {
      "Check manifests for zero-downtime gaps, offline, with the rules the operator uses.",
      "Reads multi-document YAML and JSON, kind: List, and helm template / kustomize build output. "
          + "Deployments are checked with every rule, Services against the Deployments of the same input, "
          + "and PodDisruptionBudgets of the input count for SR016. StatefulSets and DaemonSets are not "
          + "covered yet and get a note.",
      "Exit codes: 0 no findings at or above --min-severity, 1 findings, 2 bad input."
    },
    footer = {
      "",
      "Examples:",
      "  saferollout lint deploy/          # *.yaml, *.yml, *.json below deploy/",
      "  helm template my-chart | saferollout lint -",
      "  kustomize build prod | saferollout lint --format sarif - > lint.sarif",
      "  saferollout lint --min-severity ERROR --disable SR015,SR018 app.yaml",
      "  saferollout lint --server-version 1.28 app.yaml   # an older cluster",
      "  saferollout lint --explain SR005",
      "",
      "Per object, the annotation saferollout.io/lint-disable: \"SR003,SR007\" (or \"all\") switches rules off."
    })
final class LintCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "PATH",
      arity = "0..*",
      description = "files, directories (searched recursively), or - for standard input")
  List<String> paths = List.of();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text, json or sarif (SARIF 2.1.0, for code-scanning annotations) (default: ${DEFAULT-VALUE})")
  LintFormat format;

  @Option(
      names = "--min-severity",
      paramLabel = "SEVERITY",
      defaultValue = "WARNING",
      description =
          "report, and fail on, findings of this severity or worse: INFO, WARNING, ERROR (default: ${DEFAULT-VALUE})")
  Severity minSeverity;

  @Option(
      names = "--disable",
      paramLabel = "RULE",
      split = ",",
      description = "rule ids to skip; repeatable or comma-separated, e.g. --disable SR015,SR018")
  List<String> disabled = List.of();

  @Option(
      names = "--explain",
      paramLabel = "RULE",
      description =
          "print what rule RULE checks, what fails at rollout time, and the fix; then exit")
  String explain;

  @Mixin PolicyOptions policy;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (explain != null) {
      ExplainCommand.print(out, List.of(explain));
      out.flush();
      return 0;
    }
    Set<Rule> off = EnumSet.noneOf(Rule.class);
    for (String id : disabled) {
      off.add(ExplainCommand.rule(id));
    }
    LintSettings settings =
        new LintSettings(policy.policy(Mode.FillMissing), policy.capabilities(), minSeverity, off);
    List<ManifestFile> files = ManifestArguments.read(paths, System.in);
    LintReport report;
    try {
      report = Linter.lint(files, settings);
    } catch (MalformedManifestException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    format.write(report, out);
    out.flush();
    return report.failsThreshold() ? 1 : 0;
  }
}
