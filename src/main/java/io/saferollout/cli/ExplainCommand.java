package io.saferollout.cli;

import io.saferollout.lint.RulesDoc;
import io.saferollout.rules.Rule;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description =
        "Explain a rule: what fails at rollout time and how to fix it. Without RULE, list all rules.",
    footer = {
      "",
      "Examples:",
      "  saferollout explain             # every rule, one line each",
      "  saferollout explain SR005       # the preStop rule in full",
      "  saferollout lint --explain SR005"
    })
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "RULE", arity = "0..*", description = "rule ids, e.g. SR005")
  List<String> ids = List.of();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    print(out, ids);
    out.flush();
    return 0;
  }

  static void print(PrintWriter out, List<String> ids) {
    if (ids.isEmpty()) {
      for (Rule rule : Rule.values()) {
        out.printf("%s  %-7s  %s%n", rule.id(), rule.severity(), rule.title());
      }
      return;
    }
    List<Rule> rules = ids.stream().map(ExplainCommand::rule).toList();
    for (int i = 0; i < rules.size(); i++) {
      if (i > 0) {
        out.println();
      }
      out.print(RulesDoc.explain(rules.get(i)));
    }
  }

  static Rule rule(String id) {
    return Rule.byId(id)
        .orElseThrow(
            () ->
                new BadInputException(
                    "unknown rule '"
                        + id
                        + "'; known rules are SR001 to "
                        + Rule.values()[Rule.values().length - 1].id()
                        + " (saferollout explain lists them)"));
  }
}
